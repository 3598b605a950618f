// One interaction as the timeline and the conversation view show it. Subject and body are text.
// An email also shows its sender, what Rapport noticed about it (automatic reply, bounce, a
// message kept as received because it was broken), its attachments as downloads, and, on
// request, the quoted history its mail program added under the new text.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, t, timeElement } from '../i18n.js';

export function interactionHead(interaction, channels) {
  const channel = channels?.get(interaction.channel_id);
  return h('div', { class: 'item-head' },
    h('span', { class: `badge badge-${interaction.direction}` }, t(`direction.${interaction.direction}`)),
    h('span', null, t(`interaction.kind.${interaction.kind}`)),
    h('span', null, channel ? `${channel.name} · ${t(`channel.kind.${channel.kind}`)}` : interaction.channel_id),
    timeElement(interaction.occurred_at));
}

export function interactionContent(interaction) {
  const mail = interaction.kind === 'email' ? mailParts(interaction) : [];
  return [
    interaction.subject ? h('p', { class: 'item-subject' }, interaction.subject) : null,
    ...mail.slice(0, 2),
    interaction.body ? h('p', { class: 'item-body' }, interaction.body) : null,
    ...mail.slice(2),
  ];
}

const FLAGS = ['auto_reply', 'bounce', 'delayed', 'malformed', 'charset_guessed'];

/** [sender line, flags, attachments, quoted-history control] for an email's metadata. */
function mailParts(interaction) {
  const meta = interaction.metadata || {};
  const mailId = typeof meta.mail_message_id === 'string' ? meta.mail_message_id : null;
  const from = typeof meta.from === 'string' ? meta.from : null;
  const name = typeof meta.from_name === 'string' ? meta.from_name : null;
  const sender = from
    ? h('p', { class: 'mail-from' }, t('mail.from', { sender: name ? `${name} <${from}>` : from }))
    : null;
  const flags = (Array.isArray(meta.flags) ? meta.flags : []).filter((flag) => FLAGS.includes(flag));
  const badges = flags.length
    ? h('p', { class: 'mail-flags' }, flags.map((flag) => h('span', { class: `badge badge-flag-${flag}`, title: t(`mail.flag.${flag}.about`) },
      t(`mail.flag.${flag}`))))
    : null;
  const attachments = Array.isArray(meta.attachments) ? meta.attachments.filter((a) => a && typeof a.id === 'string') : [];
  const files = mailId && attachments.length
    ? h('ul', { class: 'mail-attachments', 'aria-label': t('mail.attachments') }, attachments.map((a) => h('li', null,
      a.stored === false
        ? h('span', { title: t('mail.attachment.notKept') }, `${a.filename || t('mail.attachment.unnamed')} (${t('mail.attachment.size', { size: bytes(a.size) })}, ${t('mail.attachment.notKept')})`)
        : h('a', { href: `/v1/mail-messages/${seg(mailId)}/attachments/${seg(a.id)}`, download: a.filename || '' },
          `${a.filename || t('mail.attachment.unnamed')} (${t('mail.attachment.size', { size: bytes(a.size) })})`))))
    : null;
  const more = mailId ? quotedHistory(mailId) : null;
  return [sender, badges, files, more];
}

/** A button that fetches the message and shows the quoted history and signature as text, and a link to the original. */
function quotedHistory(mailId) {
  const box = h('div', { class: 'mail-quoted', hidden: true });
  let loaded = false;
  const button = h('button', { type: 'button', class: 'link-like', 'aria-expanded': 'false' }, t('mail.showQuoted'));
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    button.setAttribute('aria-expanded', String(!open));
    button.textContent = t(open ? 'mail.showQuoted' : 'mail.hideQuoted');
    box.hidden = open;
    if (open || loaded) return;
    loaded = true;
    replace(box, h('p', { class: 'muted' }, t('app.loading')));
    try {
      const message = await api.get(`/v1/mail-messages/${seg(mailId)}`);
      replace(box,
        message.quoted ? h('pre', { class: 'mail-quote' }, message.quoted) : h('p', { class: 'muted' }, t('mail.noQuoted')),
        message.signature ? h('pre', { class: 'mail-signature' }, message.signature) : null,
        h('a', { href: `/v1/mail-messages/${seg(mailId)}/raw`, download: `${mailId}.eml` }, t('mail.original')));
    } catch (error) {
      if (isAbort(error)) return;
      loaded = false;
      replace(box, h('p', { class: 'error', role: 'alert' }, error.message));
    }
  });
  return h('div', { class: 'mail-more' }, button, box);
}

function bytes(size) {
  if (typeof size !== 'number') return '?';
  if (size < 1024) return t('mail.bytes', { n: formatNumber(size) });
  if (size < 1024 * 1024) return t('mail.kilobytes', { n: formatNumber(Math.round(size / 102.4) / 10) });
  return t('mail.megabytes', { n: formatNumber(Math.round(size / (1024 * 102.4)) / 10) });
}
