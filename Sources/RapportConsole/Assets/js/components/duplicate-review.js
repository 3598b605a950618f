// One duplicate candidate opened: the two customers side by side, which record survives and, for
// each field where they differ, whose value to keep (or the survivorship rules' choice); accept
// merges (POST /v1/duplicates/{id}/accept), reject marks them different. After a merge, a link to
// the merged customer and Undo (POST /v1/merges/{id}/undo).

import { api, seg } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as session from '../session.js';
import { addressText, attributeText } from './customer-profile.js';

// Fields a person chooses between when they differ (lists such as emails are combined by the merge).
const CHOOSABLE = ['name', 'given_name', 'family_name', 'kind', 'company', 'lifecycle_stage'];
const SHOWN = [...CHOOSABLE, 'emails', 'phones', 'addresses', 'attributes'];

function display(field, value) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return null;
  if (field === 'kind') return t(`customer.kind.${value}`);
  if (field === 'lifecycle_stage') return t(`lifecycle.${value}`);
  if (field === 'addresses') return value.map(addressText).join('; ');
  if (field === 'attributes') {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k}: ${attributeText(v)}`).join('; ') : null;
  }
  return Array.isArray(value) ? value.join(', ') : String(value);
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const label = (field) => t(`customer.field.${field === 'owner_id' ? 'owner' : field}`);

/** `customers` is [older, newer] as the candidate lists them. `onDecided()` after accept or reject. */
export function duplicateReview(candidate, customers, { onDecided } = {}) {
  const [a, b] = customers;
  const notice = h('div', { role: 'status' });
  const side = (c, key) => h('span', null, h('span', { class: 'badge' }, t(`review.record.${key}`)), ' ', c.name);

  const cell = (c, field) => {
    const text = display(field, c[field]);
    return h('td', null, text === null ? h('span', { class: 'muted' }, t('app.none')) : text);
  };
  const compare = h('section', { class: 'card', 'aria-labelledby': 'compare-title' },
    h('h2', { id: 'compare-title' }, t('review.compare')),
    h('table', { class: 'table compare' },
      h('caption', { class: 'visually-hidden' }, t('review.compare')),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('review.field')),
        h('th', { scope: 'col' }, h('a', { href: `#/customers/${encodeURIComponent(a.id)}` }, side(a, 'a'))),
        h('th', { scope: 'col' }, h('a', { href: `#/customers/${encodeURIComponent(b.id)}` }, side(b, 'b'))))),
      h('tbody', null, SHOWN.map((field) => h('tr', { class: same(a[field], b[field]) ? null : 'differs' },
        h('th', { scope: 'row' }, label(field), same(a[field], b[field]) ? null : h('span', { class: 'visually-hidden' }, ` (${t('review.differs')})`)),
        cell(a, field), cell(b, field))))));

  if (candidate.status !== 'open') {
    const decided = h('section', { class: 'card', 'aria-labelledby': 'decision-title' },
      h('h2', { id: 'decision-title' }, t('review.decision')),
      h('p', null, t(`review.status.${candidate.status}`)), notice);
    if (candidate.status === 'accepted' && candidate.merge_id) decided.append(mergedActions(candidate.merge_id, candidate.merge?.survivor_id ?? a.id, notice));
    return h('div', { class: 'review' }, compare, decided);
  }

  // Viewers read customers but may not change them (`customers:write`): nothing to decide.
  if (session.user()?.role === 'viewer') {
    return h('div', { class: 'review' }, compare, h('p', { class: 'notice notice-info' }, t('review.readOnly')));
  }

  // Which record survives.
  const groupName = uid('survivor');
  const survivorRadios = customers.map((c, i) => h('input', { type: 'radio', name: groupName, value: c.id, id: `${groupName}-${i}`, checked: i === 0 }));
  const survivor = h('fieldset', { class: 'choice' },
    h('legend', null, t('review.survivor')),
    customers.map((c, i) => h('div', { class: 'choice-option' }, survivorRadios[i],
      h('label', { for: survivorRadios[i].id }, side(c, i === 0 ? 'a' : 'b'), i === 0 ? h('span', { class: 'muted small' }, ` ${t('review.older')}`) : null))));

  // Whose value to keep, per differing field.
  const choices = [];
  const fieldsets = CHOOSABLE.filter((field) => !same(a[field], b[field])).map((field) => {
    const name = uid(`keep-${field}`);
    const options = [
      { value: 'auto', text: t('review.keepAuto') },
      { value: 'a', text: t('review.keepFrom', { record: t('review.record.a'), value: display(field, a[field]) ?? t('app.none') }) },
      { value: 'b', text: t('review.keepFrom', { record: t('review.record.b'), value: display(field, b[field]) ?? t('app.none') }) },
    ];
    const radios = options.map((o, i) => h('input', { type: 'radio', name, value: o.value, id: `${name}-${i}`, checked: i === 0 }));
    choices.push({ field, radios });
    return h('fieldset', { class: 'choice', 'data-field': field },
      h('legend', null, label(field)),
      options.map((o, i) => h('div', { class: 'choice-option' }, radios[i], h('label', { for: radios[i].id }, o.text))));
  });

  const accept = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'accept' }, t('review.accept'));
  const reject = h('button', { type: 'button', class: 'button', 'data-action': 'reject' }, t('review.reject'));
  const form = h('form', { class: 'card form', 'aria-labelledby': 'decide-title', novalidate: true },
    h('h2', { id: 'decide-title' }, t('review.decide')),
    survivor,
    fieldsets.length ? h('p', { class: 'muted small' }, t('review.keepHint')) : h('p', { class: 'muted small' }, t('review.noDifferences')),
    fieldsets,
    notice,
    h('div', { class: 'form-actions' }, accept, reject));

  const busy = (on) => { accept.disabled = on; reject.disabled = on; };
  const failed = (error) => {
    busy(false);
    if (error.status === 401) return;
    console.warn('duplicate decision', error);
    replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, error.status === 409 ? t('duplicates.conflict') : error.status === 403 ? t('app.forbidden') : t('app.error')));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    busy(true);
    const survivorId = survivorRadios.find((r) => r.checked)?.value ?? a.id;
    const fields = {};
    for (const { field, radios } of choices) {
      const chosen = radios.find((r) => r.checked)?.value;
      if (chosen === 'a') fields[field] = a[field] ?? null;
      if (chosen === 'b') fields[field] = b[field] ?? null;
    }
    const body = { survivor_id: survivorId };
    if (Object.keys(fields).length) body.fields = fields;
    try {
      const decided = await api.post(`/v1/duplicates/${seg(candidate.id)}/accept`, body);
      const mergeId = decided?.merge?.merge_id ?? decided?.merge_id;
      form.replaceWith(h('section', { class: 'card', 'aria-labelledby': 'decision-title' },
        h('h2', { id: 'decision-title', tabindex: '-1' }, t('review.decision')),
        notice, mergeId ? mergedActions(mergeId, decided?.merge?.survivor_id ?? survivorId, notice) : null));
      replace(notice, h('p', { class: 'notice notice-success' }, t('review.merged')));
      onDecided?.();
    } catch (error) {
      failed(error);
    }
  });
  reject.addEventListener('click', async () => {
    busy(true);
    try {
      await api.post(`/v1/duplicates/${seg(candidate.id)}/reject`, {});
      form.replaceWith(h('section', { class: 'card', 'aria-labelledby': 'decision-title' },
        h('h2', { id: 'decision-title', tabindex: '-1' }, t('review.decision')), notice));
      replace(notice, h('p', { class: 'notice notice-success' }, t('review.rejected')));
      onDecided?.();
    } catch (error) {
      failed(error);
    }
  });

  return h('div', { class: 'review' }, compare, form);
}

function mergedActions(mergeId, survivorId, notice) {
  const undo = h('button', { type: 'button', class: 'button', 'data-action': 'undo' }, t('duplicates.undo'));
  undo.addEventListener('click', async () => {
    undo.disabled = true;
    try {
      await api.post(`/v1/merges/${seg(mergeId)}/undo`, {});
      replace(notice, h('p', { class: 'notice notice-success' }, t('review.undone')));
      undo.hidden = true;
    } catch (error) {
      undo.disabled = false;
      if (error.status === 401) return;
      console.warn('undo merge', error);
      replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, error.status === 409 ? t('review.undoBlocked') : t('app.error')));
    }
  });
  return h('div', { class: 'form-actions' },
    h('a', { href: `#/customers/${encodeURIComponent(survivorId)}`, class: 'button', 'data-merge': mergeId }, t('review.openMerged')),
    undo);
}
