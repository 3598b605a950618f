// Administration · Settings · Email digests: the email channel digests are sent from (its address
// and name are the sender; "None" sends none) and the console's address the digests' links point
// to (GET/PUT /v1/settings/notification-digest). The channels offered are the email channels
// (GET /v1/channels); an empty address is suggested as this console's own, saved only with Save.
// The server's errors appear beside the field they name (a channel that cannot send, in words).

import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { all, card, errorText, options } from './admin-kit.js';
import { clearErrors, field, formMessage } from './form.js';

const PATH = '/v1/settings/notification-digest';

/** This console's address: where people open it, for the links in digests. */
export function consoleAddress() {
  return `${location.origin}/console`;
}

export async function digestForm({ signal }) {
  const [stored, channels] = await Promise.all([
    api.get(PATH, { signal }),
    all('/v1/channels', { signal }).then((list) => list.filter((c) => c.kind === 'email')),
  ]);
  const label = (c) => {
    const address = typeof c.settings?.address === 'string' ? c.settings.address.trim() : '';
    return address ? t('admin.digest.channelOption', { name: c.name ?? c.id, address }) : t('admin.digest.noAddress', { name: c.name ?? c.id });
  };
  const choices = options(channels, label, t('admin.digest.none'));
  // A stored channel that is no email channel any more still shows as what is set.
  if (stored?.channel_id && !channels.some((c) => c.id === stored.channel_id)) {
    choices.push({ value: stored.channel_id, label: t('admin.digest.unknownChannel', { id: stored.channel_id }) });
  }
  const channel = field({ label: t('admin.digest.channel'), name: 'channel_id', as: 'select', hint: t('admin.digest.channelHint'),
    options: choices, value: stored?.channel_id ?? '' });
  const url = field({ label: t('admin.digest.consoleUrl'), name: 'console_url', type: 'url', hint: t('admin.digest.consoleUrlHint'),
    value: stored?.console_url ?? consoleAddress(), attrs: { spellcheck: 'false', inputmode: 'url' } });
  const fields = [channel, url];
  const words = { channel_id: t('admin.digest.channelRefused'), console_url: t('admin.digest.badUrl') };
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.save'));
  const form = h('form', { class: 'form', novalidate: true, 'data-form': 'notification-digest' },
    message.element, fields.map((f) => f.element), h('div', { class: 'form-actions' }, save));

  const fill = (settings) => {
    channel.input.value = settings?.channel_id ?? '';
    url.input.value = settings?.console_url ?? consoleAddress();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    save.disabled = true;
    try {
      fill(await api.put(PATH, { channel_id: channel.input.value || null, console_url: url.input.value.trim() || null }, { signal }));
      message.show(t('admin.settings.saved'), 'success');
    } catch (error) {
      if (error.status === 401) return;
      let first = null;
      for (const [name, text] of Object.entries(error.fieldErrors ?? {})) {
        const f = fields.find((candidate) => name === candidate.name || name.startsWith(`${candidate.name}.`));
        if (!f) continue;
        f.setError(words[f.name] ?? text);
        first ??= f;
      }
      if (first) first.input.focus();
      else message.show(errorText(error));
    } finally {
      save.disabled = false;
    }
  });

  return card(t('admin.digest.title'), h('p', { class: 'muted' }, t('admin.digest.intro')), form);
}
