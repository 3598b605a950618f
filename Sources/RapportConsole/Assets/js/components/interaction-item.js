// One interaction as the timeline and the conversation view show it. Subject and body are text.

import { h } from '../dom.js';
import { t, timeElement } from '../i18n.js';

export function interactionHead(interaction, channels) {
  const channel = channels?.get(interaction.channel_id);
  return h('div', { class: 'item-head' },
    h('span', { class: `badge badge-${interaction.direction}` }, t(`direction.${interaction.direction}`)),
    h('span', null, t(`interaction.kind.${interaction.kind}`)),
    h('span', null, channel ? `${channel.name} · ${t(`channel.kind.${channel.kind}`)}` : interaction.channel_id),
    timeElement(interaction.occurred_at));
}

export function interactionContent(interaction) {
  return [
    interaction.subject ? h('p', { class: 'item-subject' }, interaction.subject) : null,
    interaction.body ? h('p', { class: 'item-body' }, interaction.body) : null,
  ];
}
