// "Invoice this deal" on a deal's page (record-detail.js loads this module, with its messages, for a
// record of the type `deal` and those who may write records): shown while the deal stands in a stage
// whose outcome is won (else a line says only a won deal is invoiced; nothing when the type has no
// won stage); it opens a small form — the number (empty: the next of the year's series), the day it
// is issued (empty: today) and the days to pay (30) — sent as POST /v1/deals/{id}/invoice with an
// Idempotency-Key. The server turns the deal's lines into the invoice's lines; on 201 the page goes
// to the new invoice. A 409 (not won, no lines, several currencies, already invoiced…) is said in the
// page's error area with the server's detail, and a link to the invoice that stands in the way when
// the problem names one (`invoice_id`); a 422 beside the input it names. Both buttons are disabled
// while the request runs.
// The messages are a part (i18n/invoice/): `prepare()` loads them.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { loadMessages, t } from '../i18n.js';
import { clearErrors, field, formMessage } from './form.js';

export const PAYMENT_DAYS = 30;
const MAX_NUMBER = 64;

/** Loads the messages (again after a language switch: the catalog was replaced). */
export function prepare() {
  return loadMessages('invoice');
}

function stagesOf(type) {
  return Array.isArray(type?.stages) ? type.stages.filter(Boolean) : [];
}

/** True when `type` has a stage whose outcome is won (a `deal` without one is not the sales pipeline's). */
export function canBeWon(type) {
  return stagesOf(type).some((s) => s.outcome === 'won');
}

/** True when `record` stands in a stage of `type` whose outcome is won. */
export function isWon(type, record) {
  return stagesOf(type).find((s) => s.key === record?.stage)?.outcome === 'won';
}

/** The body of the request from what the form holds; `problems` maps a field's name to what is wrong. */
export function invoiceRequest({ number, issuedOn, paymentDays, badDays = false }) {
  const body = {};
  const problems = {};
  const text = String(number ?? '').trim();
  if (text) {
    if ([...text].length > MAX_NUMBER) problems.number = t('invoice.badNumber', { max: MAX_NUMBER });
    else body.number = text;
  }
  const day = String(issuedOn ?? '').trim();
  if (day) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(day)) body.issued_on = day;
    else problems.issued_on = t('invoice.badDate');
  }
  const days = String(paymentDays ?? '').trim();
  if (badDays) {
    problems.payment_days = t('invoice.badDays');
  } else if (days) {
    const n = Number(days);
    if (Number.isInteger(n) && n >= 0 && n <= 365) body.payment_days = n;
    else problems.payment_days = t('invoice.badDays');
  }
  return { body, problems };
}

/**
 * The action. `actions`: the row of the record's buttons (the button or the line saying why there is
 * none goes there); `say(text | nodes | null)`: the page's error area; `place(node)`: puts the form's
 * card on the page. Returns { update(type, record) } for the page to call when the deal or its type
 * changes.
 */
export function invoiceAction({ type: initialType, record: initialRecord, signal, actions, say, place }) {
  let type = initialType;
  let record = initialRecord;
  let key = null; // the Idempotency-Key of the request being tried
  let busy = false;

  const cardId = uid('invoice-deal');
  const titleId = `${cardId}-title`;
  const slot = h('span', { class: 'invoice-slot', 'data-slot': 'invoice-deal' });
  actions.append(slot);
  const open = h('button', { type: 'button', class: 'button', 'data-action': 'invoice-deal', 'aria-expanded': 'false', 'aria-controls': cardId },
    t('invoice.action'));
  const hint = h('span', { class: 'muted small', 'data-field': 'invoice-hint' }, t('invoice.notWon'));

  const number = field({ label: t('invoice.number'), name: 'number', hint: t('invoice.numberHint'),
    attrs: { autocomplete: 'off', spellcheck: 'false', maxlength: String(MAX_NUMBER) } });
  const issued = field({ label: t('invoice.issuedOn'), name: 'issued_on', type: 'date', hint: t('invoice.issuedOnHint') });
  const days = field({ label: t('invoice.paymentDays'), name: 'payment_days', type: 'number', value: String(PAYMENT_DAYS), hint: t('invoice.paymentDaysHint'),
    attrs: { min: '0', max: '365', step: '1', inputmode: 'numeric' } });
  const inputs = [number, issued, days];
  const message = formMessage();
  const status = h('p', { class: 'muted small', role: 'status', 'data-field': 'invoice-status' });
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'create-invoice' }, t('invoice.create'));
  const cancel = h('button', { type: 'button', class: 'button', 'data-action': 'cancel-invoice' }, t('records.form.cancel'));
  const form = h('form', { class: 'form', novalidate: true, 'data-form': 'invoice-deal' },
    message.element, h('div', { class: 'field-row' }, inputs.map((f) => f.element)),
    h('div', { class: 'form-actions' }, submit, cancel), status);
  const card = h('section', { id: cardId, class: 'card', 'aria-labelledby': titleId, 'data-card': 'invoice-deal', hidden: true },
    h('h2', { id: titleId, tabindex: '-1' }, t('invoice.title')), h('p', { class: 'muted' }, t('invoice.intro')), form);
  place(card);

  for (const f of inputs) f.input.addEventListener('input', () => { key = null; });

  const setBusy = (on) => {
    busy = on;
    open.disabled = on;
    submit.disabled = on;
    if (on) form.setAttribute('aria-busy', 'true'); else form.removeAttribute('aria-busy');
    status.textContent = on ? t('invoice.creating') : '';
  };
  const show = () => {
    card.hidden = false;
    open.setAttribute('aria-expanded', 'true');
    number.input.focus();
  };
  const hide = (focus) => {
    card.hidden = true;
    open.setAttribute('aria-expanded', 'false');
    message.show(null);
    clearErrors(inputs);
    if (focus && open.isConnected) open.focus();
  };
  open.addEventListener('click', () => (card.hidden ? show() : hide(true)));
  cancel.addEventListener('click', () => hide(true));

  /** A refusal in the page's error area: the server's detail, and the invoice in the way as a link. */
  const refused = (error) => {
    const detail = error.problem?.detail || error.message;
    const standing = typeof error.problem?.invoice_id === 'string' ? error.problem.invoice_id : null;
    say([h('span', { 'data-field': 'invoice-problem' }, t('invoice.refused', { detail })),
      standing ? [' ', h('a', { href: `#/records/invoice/${encodeURIComponent(standing)}`, 'data-action': 'open-standing-invoice' },
        t('invoice.openStanding'))] : null]);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    say(null);
    message.show(null);
    clearErrors(inputs);
    const { body, problems } = invoiceRequest({ number: number.input.value, issuedOn: issued.input.value,
      paymentDays: days.input.value, badDays: days.input.validity.badInput });
    const wrong = inputs.filter((f) => problems[f.name]);
    if (wrong.length) {
      for (const f of wrong) f.setError(problems[f.name]);
      wrong[0].input.focus();
      return;
    }
    setBusy(true);
    key ??= crypto.randomUUID();
    let focusAfter = submit;
    try {
      const made = await api.post(`/v1/deals/${seg(record.id)}/invoice`, body, { headers: { 'Idempotency-Key': key }, signal });
      key = null;
      const id = made?.invoice?.id;
      if (typeof id === 'string') {
        focusAfter = null;
        location.hash = `#/records/invoice/${encodeURIComponent(id)}`;
      }
    } catch (error) {
      if (isAbort(error) || error.status === 401) { focusAfter = null; return; }
      if (error.status) key = null; // answered: a new request next time (a replay would repeat this answer)
      const named = Object.fromEntries(Object.entries(error.fieldErrors ?? {}).map(([name, text]) => [name.replace(/^(invoice\.)?fields\./, ''), text]));
      const beside = inputs.filter((f) => named[f.name]);
      for (const f of beside) f.setError(named[f.name]);
      if (error.status === 409) {
        refused(error);
      } else if (error.status === 422 && beside.length) {
        focusAfter = beside[0].input;
      } else if (error.status === 422) {
        message.show(t('invoice.refused', { detail: error.problem?.detail || error.message }));
      } else {
        say(error.status === 403 ? t('records.forbidden') : error.status === 404 ? t('records.gone') : t('app.error'));
      }
    } finally {
      setBusy(false);
      if (focusAfter && card.isConnected && !card.hidden) focusAfter.focus();
    }
  });

  // The button while the deal is won; else the line saying why there is none (nothing at all for a
  // type without a won stage).
  const draw = () => {
    const shown = isWon(type, record) ? open : canBeWon(type) ? hint : null;
    if (slot.firstChild === shown || (!shown && !slot.firstChild)) return;
    const focused = slot.contains(document.activeElement);
    replace(slot, shown);
    if (shown !== open) {
      if (!card.hidden) hide(false);
      if (focused) actions.querySelector('button')?.focus();
    }
  };
  draw();

  return {
    update(nextType, nextRecord) {
      type = nextType;
      record = nextRecord;
      draw();
    },
  };
}
