// Reply to a conversation: stored as an outbound interaction on the conversation's channel
// (on an email channel, email-reply-form.js sends the reply by email instead; on a web chat the
// visitor's widget shows it as it commits). An Idempotency-Key makes a retried send safe.
// `onTyping` is called as the agent types (a web chat tells the visitor).

import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { field, formMessage, showFieldErrors } from './form.js';

export function replyForm({ getConversation, onSent, onTyping }) {
  const body = field({ label: t('reply.label'), name: 'body', as: 'textarea', hint: t('reply.hint'), attrs: { rows: 4 } });
  const message = formMessage();
  const send = h('button', { type: 'submit', class: 'button button-primary' }, t('reply.send'));
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'reply-title' },
    h('h2', { id: 'reply-title' }, t('reply.title')), message.element, body.element, h('div', { class: 'form-actions' }, send));
  let key = null;
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
      await api.post('/v1/interactions', payload, { headers: { 'Idempotency-Key': key } });
      body.input.value = '';
      key = null;
      message.show(t('reply.sent'), 'success');
      onSent?.();
    } catch (error) {
      if (error.status === 401) return;
      if (!(error.status === 422 && showFieldErrors(error, [body]) > 0)) message.show(error.status === 403 ? t('app.forbidden') : t('app.error'));
    } finally {
      send.disabled = false;
    }
  });
  return { element: form, focus: () => body.input.focus() };
}
