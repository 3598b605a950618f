// On a web chat conversation: whether the visitor has the widget open and when they are typing
// (GET /v1/conversations/{id}/typing, Server-Sent Events beside the log, nothing stored), and the
// agent's typing told to the visitor's widget (POST, at most every two seconds).

import { api, seg } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

const TYPING_SHOWN = 5000; // ms "typing…" stays after the visitor's last keystroke signal
const TYPING_TOLD = 2000; // ms between two signals of the agent's typing

export function chatPresence(conversationId, { signal }) {
  const online = h('span', { class: 'badge badge-resolved', dataset: { presence: 'unknown' } }, t('chat.presence.unknown'));
  const typing = h('span', { class: 'chat-typing muted', 'aria-live': 'polite' });
  const element = h('p', { class: 'chat-presence' }, online, ' ', typing);
  let typingTimer = null;
  let lastTold = 0;

  const source = new EventSource(`/v1/conversations/${seg(conversationId)}/typing`, { withCredentials: true });
  source.addEventListener('presence', (message) => {
    let data;
    try { data = JSON.parse(message.data); } catch { return; }
    const here = data.online === true;
    online.dataset.presence = here ? 'online' : 'offline';
    online.className = `badge ${here ? 'badge-open' : 'badge-resolved'}`;
    online.textContent = t(here ? 'chat.presence.online' : 'chat.presence.offline');
    if (!here) showTyping(false);
  });
  source.addEventListener('typing', () => showTyping(true));
  const close = () => source.close();
  signal.addEventListener('abort', close, { once: true });
  window.addEventListener('pagehide', close, { once: true });

  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.textContent = on ? t('chat.visitorTyping') : '';
    if (on) typingTimer = setTimeout(() => { typing.textContent = ''; }, TYPING_SHOWN);
  }

  /** The agent typed: the visitor's widget says so (not more often than every two seconds). */
  const agentTyping = () => {
    const now = Date.now();
    if (now - lastTold < TYPING_TOLD) return;
    lastTold = now;
    api.post(`/v1/conversations/${seg(conversationId)}/typing`, {}, { signal }).catch(() => {});
  };
  return { element, agentTyping };
}
