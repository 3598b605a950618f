// Where a field's value came from (channel, actor, time, HLC), as a tooltip that opens on hover
// and on keyboard focus: the value is a button described by the tooltip; Escape closes it.

import { h, uid } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';

/**
 * Wraps `value` (a node or text) with its provenance. `lookups` holds `channels` and `users`
 * maps to show names instead of ids. Without provenance, returns the value as it is.
 */
export function withProvenance(value, provenance, lookups = {}) {
  if (!provenance || typeof provenance !== 'object' || Array.isArray(provenance)) return value;
  const tipId = uid('prov');
  const channel = provenance.channel_id ? lookups.channels?.get(provenance.channel_id) : null;
  const actorUser = provenance.actor_id ? lookups.users?.get(provenance.actor_id) : null;

  const channelText = provenance.channel_id
    ? (channel ? `${channel.name} (${t(`channel.kind.${channel.kind}`)})` : provenance.channel_id)
    : t('provenance.noChannel');
  const actorText = provenance.actor_id
    ? (actorUser ? actorUser.name : actorLabel(provenance.actor_id))
    : t('provenance.unknown');

  const tip = h('span', { id: tipId, role: 'tooltip', class: 'prov-tip', hidden: true },
    h('strong', null, t('provenance.title')),
    h('dl', null,
      h('dt', null, t('provenance.channel')), h('dd', null, channelText),
      h('dt', null, t('provenance.actor')), h('dd', null, actorText),
      h('dt', null, t('provenance.time')), h('dd', null, provenance.time ? formatDateTime(provenance.time, { dateStyle: 'medium', timeStyle: 'medium' }) : t('provenance.unknown')),
      h('dt', null, t('provenance.hlc')), h('dd', { class: 'mono' }, provenance.hlc ?? '')));

  const trigger = h('button', { type: 'button', class: 'prov-value link-like', 'aria-describedby': tipId }, value);
  const wrapper = h('span', { class: 'prov' }, trigger, tip);
  let pinned = false;
  const show = () => { tip.hidden = false; };
  const hide = () => { if (!pinned) tip.hidden = true; };
  trigger.addEventListener('mouseenter', show);
  trigger.addEventListener('focus', show);
  trigger.addEventListener('mouseleave', hide);
  trigger.addEventListener('blur', () => { pinned = false; hide(); });
  trigger.addEventListener('click', () => { pinned = !pinned; tip.hidden = !pinned; });
  trigger.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !tip.hidden) { event.stopPropagation(); pinned = false; tip.hidden = true; }
  });
  return wrapper;
}

function actorLabel(id) {
  if (id.startsWith('key_') || id.startsWith('apk_')) return t('provenance.apiKey', { id });
  return id;
}
