// #/tasks[?tab=mine|department|overdue|done][&task=tsk_…]: the signed-in user's tasks (GET /v1/tasks)
// in four tabs — Mine, My department, Overdue (mine, open and past due) and Done — each with its
// title (text), priority, due time (marked overdue), who it is for, the customer it is about, its
// checklist (ticking an item sends the whole list) and Done / Reopen / Cancel (PATCH with
// If-Match "{id}-v{version}"; a task changed meanwhile is read again). A process's user task
// (source "process:…") has "Complete…" instead of Done: its form opens in the row
// (process-task-form.js). "New task" below (task-form.js). `?task=` (a notification's link)
// brings that task into view.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { loadMessages, t, timeElement } from '../i18n.js';
import * as lookups from '../lookups.js';
import * as session from '../session.js';
import { taskForm } from '../components/task-form.js';
import { processTaskForm } from '../components/process-task-form.js';

const PAGE = 50;
const TABS = {
  mine: { view: 'mine' },
  department: { view: 'department' },
  overdue: { view: 'mine', overdue: 'true' },
  done: { view: 'mine', status: 'done' },
};

/** The entity tag of a task's version, as the server writes it. */
export function taskETag(task) {
  return `"${task.id}-v${task.version}"`;
}

export default async function render({ container, query, signal, setTitle }) {
  // A process's task opens its form here (process-task-form.js): its messages come with the page.
  await loadMessages('process-task');
  if (signal.aborted) return;
  setTitle(t('tasks.title'));
  let tab = TABS[query?.get('tab')] ? query.get('tab') : 'mine';
  const wanted = query?.get('task') ?? null;
  const me = session.user();
  const status = h('p', { class: 'tasks-status muted', role: 'status' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const listTitle = h('h2', { id: 'tasks-list-title', tabindex: '-1' }, t('tasks.listTitle'));
  const list = h('ol', { class: 'task-list', 'aria-labelledby': 'tasks-list-title' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-tasks' }, t('tasks.more'));
  const tabs = h('div', { class: 'status-tabs', role: 'group', 'aria-label': t('tasks.tabs') });
  for (const key of Object.keys(TABS)) {
    tabs.append(h('button', {
      type: 'button', 'aria-pressed': String(key === tab), dataset: { tab: key },
      onclick: () => {
        if (tab === key) return;
        tab = key;
        for (const b of tabs.children) b.setAttribute('aria-pressed', String(b.dataset.tab === key));
        history.replaceState(null, '', `#/tasks?tab=${key}`);
        reload();
      },
    }, t(`tasks.tab.${key}`)));
  }
  const formSlot = h('section', { class: 'card', 'aria-labelledby': 'task-new-title', 'data-card': 'new-task' },
    h('h2', { id: 'task-new-title' }, t('tasks.new')));
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('tasks.title'))),
    h('section', { class: 'card', 'aria-labelledby': 'tasks-list-title', 'data-card': 'tasks' }, listTitle, tabs, status, problem, list, more),
    formSlot);

  const [users, departments, queues] = await Promise.all([
    lookups.optional(lookups.users), lookups.optional(lookups.departments), lookups.optional(lookups.queues)]);
  const refs = { me, users, departments, queues, customers: new Map(), signal };
  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const shown = new Map(); // task id -> element
  let cursor = null;
  let generation = 0;

  /** True when the task belongs in the tab shown (after a change it may not). */
  const belongs = (task) => (tab === 'done' ? task.status === 'done' : task.status === 'open' && (tab !== 'overdue' || task.overdue));

  const onChanged = (task, element, said) => {
    if (belongs(task)) return;
    const next = element.nextElementSibling ?? element.previousElementSibling;
    element.remove();
    shown.delete(task.id);
    status.textContent = said ?? t(`tasks.moved.${task.status}`, { title: task.title });
    (next?.querySelector('.task-title') ?? listTitle).focus();
  };

  const load = async () => {
    const mine = ++generation;
    more.hidden = true;
    say(null);
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await api.get('/v1/tasks', { query: { ...TABS[tab], limit: PAGE, cursor }, signal });
      if (mine !== generation) return; // another tab meanwhile
      for (const task of page?.data ?? []) {
        if (!task?.id || shown.has(task.id)) continue;
        const element = taskItem(task, refs, { onChanged });
        shown.set(task.id, element);
        list.append(element);
      }
      cursor = page?.next_cursor ?? null;
      more.hidden = !cursor;
      status.textContent = shown.size ? t('tasks.count', { count: shown.size }) : t(`tasks.empty.${tab}`);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (mine !== generation) return;
      console.warn('tasks', error);
      status.textContent = '';
      say(error.problem?.type?.endsWith('no-department') || (error.status === 409 && tab === 'department') ? t('tasks.noDepartment') : t('app.error'));
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
    }
  };
  const reload = () => {
    cursor = null;
    shown.clear();
    list.replaceChildren();
    return load();
  };
  more.addEventListener('click', load);

  if (me?.role !== 'viewer') {
    formSlot.append(taskForm({
      me, signal,
      onSaved: () => reload(),
    }).element);
  } else {
    formSlot.hidden = true;
  }

  await load();
  if (wanted && shown.has(wanted)) {
    // The router gives the focus to it once the page is drawn.
    const element = shown.get(wanted);
    element.classList.add('task-target');
    element.querySelector('.task-title')?.setAttribute('data-autofocus', '');
    element.scrollIntoView({ block: 'center' });
  }
}

/** Who a task is for, in words. */
function assigneeName(assignee, { me, users, departments, queues }) {
  if (!assignee) return '';
  if (assignee.kind === 'user') return assignee.id === me?.id ? t('tasks.you') : users?.get(assignee.id)?.name ?? assignee.id;
  if (assignee.kind === 'department') return departments?.get(assignee.id)?.name ?? assignee.id;
  if (assignee.kind === 'queue') return t('tasks.queue', { name: queues?.get(assignee.id)?.name ?? assignee.id });
  return assignee.id ?? '';
}

function customerLink(id, refs) {
  const link = h('a', { href: `#/customers/${encodeURIComponent(id)}`, 'data-action': 'open-customer' }, t('tasks.customer'));
  if (!refs.customers.has(id)) {
    refs.customers.set(id, api.get(`/v1/customers/${seg(id)}`, { signal: refs.signal }).then((c) => (typeof c?.name === 'string' ? c.name : null), () => null));
  }
  refs.customers.get(id).then((name) => { if (name) link.textContent = t('tasks.customerNamed', { name }); });
  return link;
}

/** One task; `onChanged(task, element, said?)` after a change the server accepted. */
function taskItem(initial, refs, { onChanged }) {
  let task = initial;
  const element = h('li', { class: 'task' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const canWrite = refs.me?.role !== 'viewer';
  let busy = false;
  // A process's user task is completed with its form; `formless` once no process waits for it.
  const fromProcess = String(initial.source ?? '').startsWith('process:');
  let formless = false;
  let panel = null; // the open form: { element }
  const panelId = `${initial.id}-process-form`;

  const reread = async () => {
    try { task = await api.get(`/v1/tasks/${seg(task.id)}`, { signal: refs.signal }); } catch { /* shown as it was */ }
    draw();
  };
  const closeForm = () => {
    panel = null;
    draw();
    element.querySelector('[data-action="task-form"]')?.focus();
  };
  const openForm = () => {
    say(null);
    const mine = processTaskForm({
      taskId: task.id, etag: () => taskETag(task), signal: refs.signal,
      onClose: closeForm,
      onStale: async () => { await reread(); onChanged(task, element); },
      onCompleted: (done) => {
        if (panel !== mine) return;
        task = done;
        panel = null;
        draw();
        onChanged(task, element, t('processTask.completed', { title: task.title ?? '' }));
        if (element.isConnected) element.querySelector('.task-title')?.focus();
      },
      onGone: async () => {
        if (panel !== mine) return;
        panel = null;
        formless = true;
        await reread();
        say(t('processTask.missing'));
        onChanged(task, element);
        if (element.isConnected) element.querySelector('.task-actions button')?.focus();
      },
    });
    mine.element.id = panelId;
    panel = mine;
    draw();
  };

  const patch = async (changes, button) => {
    if (busy) return;
    busy = true;
    say(null);
    if (button) button.disabled = true;
    // The focus stays on the box or button it was on, drawn again.
    const focused = element.contains(document.activeElement) ? document.activeElement : null;
    const again = focused?.dataset.index !== undefined ? `input[data-index="${focused.dataset.index}"]`
      : focused?.dataset.action ? `[data-action="${focused.dataset.action}"]` : null;
    try {
      task = await api.patch(`/v1/tasks/${seg(task.id)}`, changes, { headers: { 'If-Match': taskETag(task) }, signal: refs.signal });
      draw();
      if (again) (element.querySelector(again) ?? element.querySelector('.task-title'))?.focus();
      onChanged(task, element);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 412) {
        try { task = await api.get(`/v1/tasks/${seg(task.id)}`, { signal: refs.signal }); draw(); } catch { /* the message stands */ }
        say(t('tasks.stale'));
      } else {
        draw();
        say(error.status === 403 ? t('tasks.forbidden') : t('app.error'));
      }
    } finally {
      busy = false;
      if (button?.isConnected) button.disabled = false;
    }
  };

  const draw = () => {
    element.dataset.taskId = task.id;
    element.dataset.status = task.status;
    element.dataset.version = String(task.version);
    element.classList.toggle('task-overdue', Boolean(task.overdue));
    const checklist = Array.isArray(task.checklist) ? task.checklist : [];
    const due = task.due_at ? h('span', { class: `task-due${task.overdue ? ' overdue' : ''}`, 'data-field': 'due' },
      task.overdue ? t('tasks.overdueAt') : t('tasks.dueAt'), ' ', timeElement(task.due_at)) : h('span', { class: 'task-due muted', 'data-field': 'due' }, t('tasks.noDue'));
    const action = (name, label, changes, danger = false) => h('button', {
      type: 'button', class: `button button-small${danger ? ' button-danger' : ''}`, 'data-action': `task-${name}`,
      onclick: (event) => patch(changes, event.currentTarget),
    }, label);
    replace(element,
      h('div', { class: 'task-head' },
        h('h3', { class: 'task-title', tabindex: '-1', 'data-field': 'title' }, task.title ?? ''),
        h('span', { class: `badge badge-priority-${task.priority}`, 'data-field': 'priority' }, t(`tasks.priority.${task.priority}`)),
        task.status !== 'open' ? h('span', { class: `badge badge-${task.status}`, 'data-field': 'status' }, t(`tasks.status.${task.status}`)) : null),
      h('p', { class: 'task-meta' },
        due,
        h('span', { 'data-field': 'assignee' }, t('tasks.for', { name: assigneeName(task.assignee, refs) })),
        task.customer_id ? customerLink(task.customer_id, refs) : null,
        task.conversation_id ? h('a', { href: `#/inbox/${encodeURIComponent(task.conversation_id)}`, 'data-action': 'open-conversation' }, t('tasks.conversation')) : null,
        String(task.source ?? '').startsWith('rule:') ? h('span', { class: 'muted' }, t('tasks.byRule')) : null),
      task.description ? h('p', { class: 'task-description', 'data-field': 'description' }, task.description) : null,
      checklist.length ? h('ul', { class: 'task-checklist', 'aria-label': t('tasks.checklist') }, checklist.map((item, index) => {
        const id = `${task.id}-check-${index}`;
        const box = h('input', {
          type: 'checkbox', id, checked: Boolean(item.done), disabled: !canWrite, dataset: { index: String(index) },
          onchange: () => patch({ checklist: checklist.map((entry, i) => ({ text: entry.text, done: i === index ? box.checked : Boolean(entry.done) })) }),
        });
        return h('li', { class: `field-check${item.done ? ' done' : ''}` }, box, h('label', { for: id }, item.text ?? ''));
      })) : null,
      canWrite ? h('div', { class: 'task-actions' },
        task.status !== 'open' ? action('reopen', t('tasks.reopen'), { status: 'open' })
          : fromProcess && !formless ? h('button', {
            type: 'button', class: 'button button-small button-primary', 'data-action': 'task-form',
            'aria-expanded': String(Boolean(panel)), 'aria-controls': panel ? panelId : null,
            onclick: () => (panel ? closeForm() : openForm()),
          }, t('processTask.open'))
            : action('done', t('tasks.done'), { status: 'done' }),
        task.status === 'open' ? action('cancel', t('tasks.cancel'), { status: 'cancelled' }, true) : null) : null,
      panel && task.status === 'open' ? panel.element : null,
      problem);
  };
  draw();
  return element;
}
