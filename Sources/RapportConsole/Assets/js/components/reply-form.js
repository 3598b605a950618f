// Reply to a conversation: stored as an outbound interaction on the conversation's channel
// (on an email channel, email-reply-form.js sends the reply by email instead; on a web chat the
// visitor's widget shows it as it commits). An Idempotency-Key makes a retried send safe.
// `onTyping` is called as the agent types (a web chat tells the visitor). With `withFiles` (a web
// chat) the agent may send files too: the reply then goes to /v1/conversations/{id}/chat-replies.

import { api, seg } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { readFile, sizeText } from './file-input.js';
import { field, formMessage, showFieldErrors } from './form.js';

const MAX_FILES = 5;
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export function replyForm({ getConversation, onSent, onTyping, withFiles = false }) {
  const body = field({ label: t('reply.label'), name: 'body', as: 'textarea', hint: t('reply.hint'), attrs: { rows: 4 } });
  const files = withFiles
    ? field({ label: t('reply.files'), name: 'attachments', type: 'file', hint: t('reply.filesHint', { max: MAX_FILES }), attrs: { multiple: true } })
    : null;
  const message = formMessage();
  const send = h('button', { type: 'submit', class: 'button button-primary' }, t('reply.send'));
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'reply-title' },
    h('h2', { id: 'reply-title' }, t('reply.title')), message.element, body.element, files?.element, h('div', { class: 'form-actions' }, send));
  let key = null;
  files?.input.addEventListener('change', () => {
    key = null;
    const chosen = [...files.input.files];
    const large = chosen.find((file) => file.size > MAX_FILE_BYTES);
    files.setError(chosen.length > MAX_FILES ? t('reply.tooManyFiles', { max: MAX_FILES })
      : large ? t('reply.fileTooLarge', { name: large.name, size: sizeText(large.size) }) : null);
  });
  body.input.addEventListener('input', () => { key = null; onTyping?.(); });
  body.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    const text = body.input.value.trim();
    body.setError(text ? null : t('validation.required'));
    if (!text) { body.input.focus(); return; }
    if (files?.input.getAttribute('aria-invalid') === 'true') { files.input.focus(); return; }
    const conversation = getConversation();
    if (!conversation) return;
    key ??= crypto.randomUUID();
    const payload = {
      channel_id: conversation.channel_id,
      customer_id: conversation.customer_id,
      direction: 'outbound',
      kind: conversation.kind ?? 'message',
      body: text,
    };
    if (conversation.thread_key) payload.metadata = { thread_id: conversation.thread_key };
    send.disabled = true;
    try {
      if (files) {
        let attachments;
        try {
          attachments = await Promise.all([...files.input.files].map(readFile));
        } catch (error) {
          files.setError(t('emailReply.unreadable', { name: error.fileName ?? '' }));
          files.input.focus();
          return;
        }
        await api.post(`/v1/conversations/${seg(conversation.id)}/chat-replies`, { text, attachments }, { headers: { 'Idempotency-Key': key } });
        files.input.value = '';
      } else {
        await api.post('/v1/interactions', payload, { headers: { 'Idempotency-Key': key } });
      }
      body.input.value = '';
      key = null;
      message.show(t('reply.sent'), 'success');
      onSent?.();
    } catch (error) {
      if (error.status === 401) return;
      if (!(error.status === 422 && showFieldErrors(error, files ? [body, files] : [body]) > 0)) message.show(error.status === 403 ? t('app.forbidden') : t('app.error'));
    } finally {
      send.disabled = false;
    }
  });
  return { element: form, focus: () => body.input.focus() };
}
