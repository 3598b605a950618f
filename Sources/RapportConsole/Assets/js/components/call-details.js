// A call on the timeline and in a conversation: how it went (answered, missed, voicemail, or the
// outcome an agent logged), how long it took (m:ss), who took it, the recording (a link to the
// provider's http(s) address, opened apart, without a referrer), the voicemail's transcript or
// the agent's notes as text, the transcript of an answered call on request, and "Call back" with
// the number for a missed call or a voicemail. Whatever the provider or the customer wrote is text.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { has, t } from '../i18n.js';

export const CALL_OUTCOMES = ['reached', 'no_answer', 'voicemail_left', 'wrong_number'];

/** "m:ss" for a number of seconds. */
export function formatDuration(seconds) {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** The nodes a call interaction shows under its head. `users`: id -> user, to name the agent. */
export function callContent(interaction, { users } = {}) {
  const meta = interaction.metadata && typeof interaction.metadata === 'object' ? interaction.metadata : {};
  const status = typeof meta.call_status === 'string' ? meta.call_status : null;
  const outcome = typeof meta.call_outcome === 'string' ? meta.call_outcome : null;
  const badge = status
    ? h('span', { class: `badge badge-call-${status}`, 'data-call-status': status }, label('call.status', status))
    : outcome ? h('span', { class: `badge badge-call-${outcome}`, 'data-call-outcome': outcome }, label('call.outcome', outcome)) : null;
  const facts = [];
  const number = interaction.direction === 'outbound' ? meta.to : meta.from;
  if (typeof number === 'string' && number) {
    facts.push(h('span', null, t(interaction.direction === 'outbound' ? 'call.to' : 'call.from', { number })));
  }
  if (Number.isFinite(meta.duration_seconds) && meta.duration_seconds >= 0) {
    facts.push(h('span', { 'data-field': 'duration' }, t('call.duration', { duration: formatDuration(meta.duration_seconds) })));
  }
  if (typeof meta.agent_id === 'string' && meta.agent_id) {
    facts.push(h('span', { 'data-field': 'agent' }, t('call.agent', { name: users?.get(meta.agent_id)?.name ?? meta.agent_id })));
  }
  const recording = webAddress(meta.recording_url);
  const body = typeof interaction.body === 'string' && interaction.body ? interaction.body : null;
  const callBack = meta.callback === true || status === 'missed' || status === 'voicemail';
  return [
    interaction.subject ? h('p', { class: 'item-subject' }, interaction.subject) : null,
    badge || facts.length ? h('p', { class: 'call-facts' }, badge, badge && facts.length ? ' ' : null,
      facts.flatMap((fact, i) => (i ? [' · ', fact] : [fact]))) : null,
    recording ? h('p', { class: 'call-recording' },
      h('a', { href: recording, target: '_blank', rel: 'noopener noreferrer' }, t('call.recording'))) : null,
    body ? h('div', { class: 'call-text' },
      h('p', { class: 'call-text-label' }, t(status === 'voicemail' ? 'call.transcript' : 'call.notes')),
      h('p', { class: 'item-body' }, body)) : null,
    !body && status === 'ended' && typeof meta.call_id === 'string' ? transcriptOnRequest(meta.call_id) : null,
    callBack ? h('p', { class: 'call-back' },
      h('span', { class: 'badge badge-call-back' }, t('call.callBack')), ' ',
      typeof meta.from === 'string' && meta.from ? phoneLink(meta.from) : null) : null,
  ];
}

function label(prefix, value) {
  return has(`${prefix}.${value}`) ? t(`${prefix}.${value}`) : value;
}

/** `value` when it is an absolute http or https address, else null. */
function webAddress(value) {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A tel: link when the number looks like one, else the text. */
function phoneLink(number) {
  const dialable = number.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{3,20}$/.test(dialable) ? h('a', { href: `tel:${dialable}` }, number) : number;
}

/** An answered call's transcript lives on the call: fetched when asked for. */
function transcriptOnRequest(callId) {
  const box = h('div', { class: 'call-transcript', hidden: true });
  let loaded = false;
  const button = h('button', { type: 'button', class: 'link-like', 'aria-expanded': 'false', 'data-action': 'transcript' }, t('call.showTranscript'));
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    button.setAttribute('aria-expanded', String(!open));
    button.textContent = t(open ? 'call.showTranscript' : 'call.hideTranscript');
    box.hidden = open;
    if (open || loaded) return;
    loaded = true;
    replace(box, h('p', { class: 'muted' }, t('app.loading')));
    try {
      const call = await api.get(`/v1/calls/${seg(callId)}`);
      replace(box, typeof call?.transcript === 'string' && call.transcript
        ? h('p', { class: 'item-body' }, call.transcript)
        : h('p', { class: 'muted' }, t('call.noTranscript')));
    } catch (error) {
      if (isAbort(error)) return;
      loaded = false;
      replace(box, h('p', { class: 'error', role: 'alert' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    }
  });
  return h('div', { class: 'call-more' }, button, box);
}
