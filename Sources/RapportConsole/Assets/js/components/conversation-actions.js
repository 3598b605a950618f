// What an agent does with a conversation, each a PATCH /v1/conversations/{id}: assign (to me or
// to someone), hand back, resolve or reopen, snooze until a time, tag, move to a department.

import { api, seg } from '../api.js';
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { formMessage } from './form.js';

export function conversationActions(conversation, { me, refs, onChanged }) {
  const message = formMessage();
  const patch = async (body, done, button) => {
    message.show(null);
    if (button) button.disabled = true;
    try {
      const updated = await api.patch(`/v1/conversations/${seg(conversation.id)}`, body);
      message.show(done, 'success');
      onChanged?.(updated);
    } catch (error) {
      if (error.status === 401) return;
      const detail = Object.values(error.fieldErrors ?? {})[0];
      message.show(error.status === 403 ? t('app.forbidden') : detail ? t('actions.failedWith', { detail }) : t('app.error'));
    } finally {
      if (button) button.disabled = false;
    }
  };
  const button = (label, onClick, extra = {}) => {
    const b = h('button', { type: 'button', class: 'button button-small', ...extra }, label);
    b.addEventListener('click', () => onClick(b));
    return b;
  };
  const labelled = (label, control) => {
    const id = uid('act');
    control.id = id;
    return h('div', { class: 'field' }, h('label', { for: id }, label), control);
  };

  const mine = conversation.assignee_id && conversation.assignee_id === me?.id;
  const assignment = h('div', { class: 'actions-row' },
    mine
      ? button(t('actions.handBack'), (b) => patch({ assignee_id: null }, t('actions.handedBack'), b))
      : button(t('actions.assignToMe'), (b) => patch({ assignee_id: me.id }, t('actions.assignedToMe'), b), { 'data-action': 'assign-me' }));
  const users = [...(refs.users?.values() ?? [])].filter((u) => u.active !== false);
  if (users.length) {
    const select = h('select', null, users.map((u) => h('option', { value: u.id, selected: u.id === conversation.assignee_id }, u.name)));
    assignment.append(labelled(t('actions.assignee'), select),
      button(t('actions.assign'), (b) => {
        const user = refs.users.get(select.value);
        patch({ assignee_id: select.value }, t('actions.assigned', { name: user?.name ?? select.value }), b);
      }));
  }

  const status = h('div', { class: 'actions-row' });
  if (conversation.status === 'resolved' || conversation.status === 'snoozed') {
    status.append(button(t('actions.reopen'), (b) => patch({ status: 'open' }, t('actions.reopened'), b)));
  }
  if (conversation.status !== 'resolved') {
    status.append(button(t('actions.resolve'), (b) => patch({ status: 'resolved' }, t('actions.resolved'), b), { 'data-action': 'resolve' }));
  }
  const until = h('input', { type: 'datetime-local', value: tomorrowMorning() });
  status.append(labelled(t('actions.snoozeUntil'), until), button(t('actions.snooze'), (b) => {
    const when = new Date(until.value);
    if (Number.isNaN(when.getTime()) || when <= new Date()) { message.show(t('actions.snoozeFuture')); return; }
    patch({ status: 'snoozed', snoozed_until: when.toISOString() }, t('actions.snoozed'), b);
  }));

  const departments = [...(refs.departments?.values() ?? [])];
  const routing = h('div', { class: 'actions-row' });
  if (departments.length) {
    const select = h('select', null,
      h('option', { value: '' }, t('actions.noDepartment')),
      departments.map((d) => h('option', { value: d.id, selected: d.id === conversation.department_id }, d.name)));
    routing.append(labelled(t('actions.department'), select), button(t('actions.move'), (b) =>
      patch({ department_id: select.value || null }, t('actions.moved'), b)));
  }
  const priority = h('select', null, ['low', 'normal', 'high', 'urgent'].map((p) => h('option', { value: p, selected: p === conversation.priority }, t(`priority.${p}`))));
  routing.append(labelled(t('actions.priority'), priority), button(t('actions.setPriority'), (b) => patch({ priority: priority.value }, t('actions.prioritySet'), b)));

  const tagInput = h('input', { type: 'text', maxlength: '64', autocomplete: 'off' });
  const addTag = (b) => {
    const tag = tagInput.value.trim();
    if (!tag) { tagInput.focus(); return; }
    patch({ add_tags: [tag] }, t('actions.tagAdded', { tag }), b);
  };
  tagInput.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); addTag(null); } });
  const tags = h('div', { class: 'actions-row' },
    h('ul', { class: 'tags', 'aria-label': t('actions.tags') }, (conversation.tags ?? []).map((tag) => h('li', { class: 'tag-chip badge' }, tag,
      button('×', (b) => patch({ remove_tags: [tag] }, t('actions.tagRemoved', { tag }), b), { 'aria-label': t('actions.removeTag', { tag }), class: 'button button-small chip-remove' })))),
    labelled(t('actions.newTag'), tagInput), button(t('actions.addTag'), addTag));

  return h('section', { class: 'card', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, t('actions.title')),
    message.element,
    h('div', { class: 'stack' }, assignment, status, routing, tags));
}

function tomorrowMorning() {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
