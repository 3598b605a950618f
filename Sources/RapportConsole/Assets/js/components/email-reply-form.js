// Reply by email to a conversation on an email channel: POST /v1/conversations/{id}/email-replies.
// The server addresses it (to whoever wrote the newest mail of the thread, "Re:" its subject,
// In-Reply-To and References) and hands it to the mail relay; the form shows who it goes to, takes
// the text, whether to quote the answered message, copies (Cc) and files. An Idempotency-Key,
// kept until something in the form changes, makes a retried send safe.

import { api, seg } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { readFile, sizeText } from './file-input.js';
import { field, formMessage } from './form.js';

const MAX_CC = 20;
const MAX_FILES = 20;

/**
 * `getConversation()` gives the conversation as last loaded; `onSent(mailRecord)` runs after a
 * send. Returns { element, focus(), setAddressing({ from, to }) } where `from` is {name, address}
 * or null and `to` a list of {name, address}: who the reply goes to, as far as the console knows.
 */
export function emailReplyForm({ getConversation, onSent }) {
  const addressing = h('dl', { class: 'mail-addressing', 'data-field': 'addressing' });
  const text = field({ label: t('emailReply.label'), name: 'text', as: 'textarea', hint: t('emailReply.hint'), attrs: { rows: 5 } });
  const quote = field({ label: t('emailReply.quote'), name: 'quote', type: 'checkbox', hint: t('emailReply.quoteHint'), attrs: { checked: true } });
  const cc = field({ label: t('emailReply.cc'), name: 'cc', type: 'text', hint: t('emailReply.ccHint'), autocomplete: 'off', attrs: { inputmode: 'email' } });
  const files = field({ label: t('emailReply.attach'), name: 'attachments', type: 'file', hint: t('emailReply.attachHint', { max: MAX_FILES }), attrs: { multiple: true } });
  const fileList = h('ul', { class: 'attachment-list', 'aria-label': t('emailReply.chosenFiles'), hidden: true });
  files.input.after(fileList);
  const message = formMessage();
  const send = h('button', { type: 'submit', class: 'button button-primary' }, t('emailReply.send'));
  const titleId = uid('email-reply-title');
  const form = h('form', { class: 'card form email-reply', novalidate: true, 'aria-labelledby': titleId, dataset: { form: 'email-reply' } },
    h('h2', { id: titleId }, t('emailReply.title')), addressing, message.element,
    text.element, quote.element, cc.element, files.element, h('div', { class: 'form-actions' }, send));

  let chosen = []; // File objects, in the order picked
  let key = null;
  const changed = () => { key = null; };
  text.input.addEventListener('input', changed);
  cc.input.addEventListener('input', changed);
  quote.input.addEventListener('change', changed);
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target !== send) { event.preventDefault(); form.requestSubmit(); }
  });

  const drawFiles = () => {
    replace(fileList, chosen.map((file, index) => {
      const remove = h('button', { type: 'button', class: 'button button-small', dataset: { action: 'remove-file' } },
        t('emailReply.remove'), h('span', { class: 'visually-hidden' }, ` ${file.name}`));
      remove.addEventListener('click', () => {
        chosen = chosen.filter((_, i) => i !== index);
        changed();
        files.setError(null);
        drawFiles();
        files.input.focus();
      });
      return h('li', null, h('span', { class: 'attachment-name' }, file.name), ' ',
        h('span', { class: 'muted small' }, `(${sizeText(file.size)})`), ' ', remove);
    }));
    fileList.hidden = chosen.length === 0;
  };
  files.input.addEventListener('change', () => {
    chosen = [...chosen, ...files.input.files];
    files.input.value = ''; // the same file may be picked again after removing it
    changed();
    files.setError(chosen.length > MAX_FILES ? t('emailReply.tooManyFiles', { max: MAX_FILES }) : null);
    drawFiles();
  });

  let drawnAddressing = null;
  const setAddressing = ({ from, to }) => {
    const signature = JSON.stringify([from, to]);
    if (signature === drawnAddressing) return;
    drawnAddressing = signature;
    replace(addressing,
      from ? [h('dt', null, t('emailReply.from')), h('dd', null, addressText(from))] : null,
      h('dt', null, t('emailReply.to')),
      h('dd', { 'data-field': 'to' }, to.length
        ? to.map((recipient, i) => [i ? ', ' : '', addressText(recipient), undeliverableBadge(recipient.address)])
        : h('span', { class: 'muted' }, t('emailReply.toUnknown'))));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    const body = text.input.value.trim();
    const copies = splitAddresses(cc.input.value);
    const badCopy = copies.find((entry) => !looksLikeAddress(entry));
    text.setError(body ? null : t('validation.required'));
    cc.setError(badCopy !== undefined ? t('emailReply.ccInvalid', { address: badCopy })
      : copies.length > MAX_CC ? t('emailReply.ccTooMany', { max: MAX_CC }) : null);
    files.setError(chosen.length > MAX_FILES ? t('emailReply.tooManyFiles', { max: MAX_FILES }) : null);
    const invalid = [text, cc, files].find((f) => f.input.getAttribute('aria-invalid') === 'true');
    if (invalid) { invalid.input.focus(); return; }
    const conversation = getConversation();
    if (!conversation) return;
    key ??= crypto.randomUUID();
    send.disabled = true;
    message.show(t('emailReply.sending'), 'info');
    try {
      let attachments;
      try {
        attachments = await Promise.all(chosen.map(readFile));
      } catch (error) {
        message.show(null);
        files.setError(t('emailReply.unreadable', { name: error.fileName ?? '' }));
        files.input.focus();
        return;
      }
      const payload = { text: body, quote: quote.input.checked, cc: copies, attachments };
      const record = await api.post(`/v1/conversations/${seg(conversation.id)}/email-replies`, payload, { headers: { 'Idempotency-Key': key } });
      text.input.value = '';
      cc.input.value = '';
      quote.input.checked = true;
      chosen = [];
      drawFiles();
      key = null;
      message.show(t('emailReply.queued'), 'success');
      onSent?.(record);
    } catch (error) {
      if (error.status === 401) return;
      message.show(null);
      showProblem(error, { text, cc, files, copies, chosen, message });
    } finally {
      send.disabled = false;
    }
  });
  return { element: form, focus: () => text.input.focus(), setAddressing };
}

/** Puts a failed send's problem beside the fields it names, or above the form. */
function showProblem(error, { text, cc, files, copies, chosen, message }) {
  const type = String(error.problem?.type ?? '');
  if (error.status === 409 && type.endsWith('mail-relay-not-configured')) { message.show(t('emailReply.noRelay')); return; }
  if (error.status === 403) { message.show(t('app.forbidden')); return; }
  if (error.status === 413) { message.show(t('emailReply.tooLarge')); files.input.focus(); return; }
  if (error.status !== 422) { message.show(t('app.error')); return; }
  const errors = error.fieldErrors ?? {};
  let textError = null;
  let ccError = null;
  let filesError = null;
  const others = [];
  for (const [name, detail] of Object.entries(errors)) {
    const cci = /^cc\[(\d+)\]/.exec(name);
    const file = /^attachments\[(\d+)\]/.exec(name);
    if (name === 'text') textError ??= t('emailReply.textInvalid');
    else if (cci) ccError ??= t('emailReply.ccInvalid', { address: copies[Number(cci[1])] ?? '' });
    else if (name === 'cc') ccError ??= t('emailReply.ccTooMany', { max: MAX_CC });
    else if (file) filesError ??= t('emailReply.fileRefused', { name: chosen[Number(file[1])]?.name ?? '' });
    else if (name === 'attachments') filesError ??= t('emailReply.filesRefused', { max: MAX_FILES });
    else if (name === 'conversation_id') others.push(t('emailReply.noChannelAddress'));
    else others.push(`${name}: ${detail}`);
  }
  text.setError(textError);
  cc.setError(ccError);
  files.setError(filesError);
  if (others.length || !(textError || ccError || filesError)) message.show(others.join(' ') || error.message);
  [text, cc, files].find((f) => f.input.getAttribute('aria-invalid') === 'true')?.input.focus();
}

/** "a@x.example, Bo <b@y.example>" -> entries, blanks left out. */
function splitAddresses(value) {
  return value.split(/[,;\n]/).map((part) => part.trim()).filter(Boolean);
}

/** A light check: the server decides. `local@domain.tld`, or a name with the address in <>. */
function looksLikeAddress(entry) {
  const angle = /<([^<>]*)>\s*$/.exec(entry);
  return /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/.test(angle ? angle[1].trim() : entry);
}

function addressText({ name, address }) {
  return name ? `${name} <${address}>` : address;
}

const addressChecks = new Map(); // address -> { at, promise }
const CHECK_FOR_MS = 60_000;

/** What the server knows about mail to `address`: {undeliverable, reason, ...}, asked at most once a minute. */
export function addressStatus(address) {
  const lower = String(address).toLowerCase();
  const known = addressChecks.get(lower);
  if (known && Date.now() - known.at < CHECK_FOR_MS) return known.promise;
  const promise = api.get(`/v1/mail-addresses/${seg(lower)}`).catch((error) => {
    addressChecks.delete(lower);
    throw error;
  });
  addressChecks.set(lower, { at: Date.now(), promise });
  return promise;
}

/**
 * A warning badge, filled in when mail to `address` is known to bounce (with the reason), else
 * nothing shown. For an identities list or a recipient line; one request per address a minute.
 */
export function undeliverableBadge(address) {
  const slot = h('span', { class: 'undeliverable-slot' });
  if (!address) return slot;
  addressStatus(address).then((status) => {
    if (!status?.undeliverable) return;
    const reason = typeof status.reason === 'string' && status.reason ? status.reason : null;
    replace(slot, ' ', h('span', { class: 'badge badge-danger', title: reason ?? t('mail.undeliverable.about'), dataset: { undeliverable: 'true' } },
      t('mail.undeliverable')),
    reason ? h('span', { class: 'small muted undeliverable-reason' }, ` ${t('mail.undeliverable.reason', { reason })}`) : null);
  }).catch((error) => {
    if (error?.status !== 401 && error?.status !== 403) console.warn('mail address', error);
  });
  return slot;
}
