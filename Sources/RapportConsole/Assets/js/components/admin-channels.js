// Administration · Channels: list, create, edit (kind, name, an email channel's address, a phone
// channel's call webhook secret and the address its provider sends call events to, and the
// channel's other settings as JSON). The secret is write-only: the server only says whether one is
// set, so a secret given here (typed, or generated in the browser) is shown once, after saving.
// A chat channel, once saved, shows the tag that embeds its widget in a site's pages (its look,
// greeting and allowed origins are `settings.widget`).

import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { copyable } from './admin-kit.js';
import { crudSection, jsonValue } from './admin-crud.js';
import { field } from './form.js';

const KINDS = ['web', 'email', 'phone', 'chat', 'sms', 'social', 'store', 'mobile_app', 'api'];
const SECRET = 'call_webhook_secret';
const SECRET_FIELD = `settings.${SECRET}`;

export default function render(context) {
  return crudSection(context, {
    path: '/v1/channels',
    name: 'admin.channels',
    label: (c) => c.name,
    columns: [
      { label: t('admin.channels.name'), cell: (c) => c.name },
      {
        label: t('admin.channels.kind'),
        cell: (c) => [t(`channel.kind.${c.kind}`), c.kind === 'phone' ? [' ', secretBadge(c)] : null],
      },
      { label: t('admin.channels.address'), cell: (c) => (typeof c.settings?.address === 'string' ? c.settings.address : '') },
      { label: t('admin.channels.id'), cell: (c) => h('span', { class: 'mono' }, c.id) },
    ],
    fields: () => {
      const kind = field({ label: t('admin.channels.kind'), name: 'kind', as: 'select', value: 'chat', options: KINDS.map((k) => ({ value: k, label: t(`channel.kind.${k}`) })) });
      const phone = phoneSettings();
      kind.input.addEventListener('change', () => phone.showFor(kind.input.value));
      return [
        field({ label: t('admin.channels.name'), name: 'name', required: true, autocomplete: 'off' }),
        kind,
        field({ label: t('admin.channels.address'), name: 'address', type: 'email', hint: t('admin.channels.addressHint') }),
        phone,
        field({ label: t('admin.channels.settings'), name: 'settings', as: 'textarea', hint: t('admin.jsonHint'), attrs: { class: 'json-box', spellcheck: 'false' } }),
      ];
    },
    required: ['name'],
    fill: (f, c) => {
      f.name.input.value = c.name;
      f.kind.input.value = c.kind;
      const { address, [SECRET]: secret, [`${SECRET}_set`]: isSet, ...rest } = c.settings || {};
      f.address.input.value = typeof address === 'string' ? address : '';
      f.settings.input.value = Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '';
    },
    onEdit: (f, c) => f[SECRET_FIELD].showFor(f.kind.input.value, c),
    toBody: (f) => {
      const settings = jsonValue(f.settings) || {};
      const address = f.address.input.value.trim();
      if (address) settings.address = address;
      else delete settings.address;
      delete settings[`${SECRET}_set`];
      const kind = f.kind.input.value;
      const secret = f[SECRET_FIELD].input.value.trim();
      // Left empty, the server keeps the secret it has.
      if (kind === 'phone' && secret) {
        if (!wellFormed(secret)) throw { field: SECRET_FIELD, message: t(`fieldError.${SECRET_FIELD}`) };
        settings[SECRET] = secret;
      }
      return { name: f.name.input.value.trim(), kind, settings };
    },
    saved: (c, { body }) => {
      if (c.kind === 'chat') {
        return h('div', { class: 'notice notice-info', 'data-result': 'chat-channel' },
          copyable(t('admin.channels.widgetTag'), widgetTag(c)), h('p', { class: 'small' }, t('admin.channels.widgetTagHint')));
      }
      if (c.kind !== 'phone') return null;
      const secret = body.settings?.[SECRET];
      return h('div', { class: 'notice notice-info', 'data-result': 'phone-channel' },
        secret ? [copyable(t('admin.channels.callSecret'), secret), h('p', { class: 'small' }, t('admin.channels.callSecretOnce'))] : null,
        copyable(t('admin.channels.hookUrl'), hookUrl(c)),
        h('p', { class: 'small' }, t('admin.channels.hookUrlHint')));
    },
    onChange: () => lookups.invalidate('channels'),
  });
}

function secretBadge(channel) {
  const set = channel.settings?.[`${SECRET}_set`] === true;
  return h('span', { class: set ? 'badge badge-resolved' : 'badge badge-pending', 'data-secret': set ? 'set' : 'missing' },
    t(set ? 'admin.channels.secretSet' : 'admin.channels.secretMissing'));
}

/** The tag a site puts in its pages to embed the chat widget of `channel`. */
function widgetTag(channel) {
  return `<script src="${location.origin}/chat/widget.js" data-channel="${channel.id}" async></script>`;
}

function hookUrl(channel) {
  return `${location.origin}/hooks/calls/${encodeURIComponent(channel.id)}`;
}

/** `whsec_` and base64 of 16 to 64 bytes, as the server wants it. */
function wellFormed(secret) {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return false;
  try {
    const n = atob(secret.slice('whsec_'.length)).length;
    return n >= 16 && n <= 64;
  } catch {
    return false;
  }
}

/** 32 random bytes from the browser, as a Standard Webhooks secret. */
function generateSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * The phone channel's part of the form, shown while the kind is phone: the secret (with
 * "Generate"), whether one is set already, and the address to give the provider. A field of the
 * form ({ element, input, setError, name }) for the secret, plus `showFor(kind, channel)`.
 */
function phoneSettings() {
  const secret = field({
    label: t('admin.channels.callSecret'), name: SECRET_FIELD, hint: t('admin.channels.callSecretHint'), autocomplete: 'off',
    attrs: { class: 'mono', spellcheck: 'false' },
  });
  const done = h('span', { class: 'muted small', role: 'status' });
  const generate = h('button', { type: 'button', class: 'button button-small', 'data-action': 'generate-secret' }, t('admin.channels.generate'));
  generate.addEventListener('click', () => {
    secret.input.value = generateSecret();
    secret.setError(null);
    done.textContent = t('admin.channels.generated');
  });
  secret.input.addEventListener('input', () => { done.textContent = ''; });
  const row = h('div', { class: 'secret' });
  secret.input.replaceWith(row);
  row.append(secret.input, generate);
  secret.element.append(done);

  const state = h('p', { class: 'small', 'data-field': 'secret-state' });
  const hook = h('div');
  const legendId = uid('phone-legend');
  const element = h('fieldset', { class: 'choice phone-settings', hidden: true, 'aria-labelledby': legendId },
    h('legend', { id: legendId }, t('admin.channels.phone')), state, secret.element, hook);

  const showFor = (kind, channel) => {
    element.hidden = kind !== 'phone';
    done.textContent = '';
    const editing = channel ?? null;
    const set = editing?.settings?.[`${SECRET}_set`] === true;
    state.textContent = !editing ? '' : t(set ? 'admin.channels.secretSetHint' : 'admin.channels.secretMissingHint');
    state.hidden = !editing;
    hook.replaceChildren(editing && editing.kind === 'phone'
      ? copyable(t('admin.channels.hookUrl'), hookUrl(editing))
      : h('p', { class: 'field-hint' }, t('admin.channels.hookUrlLater')));
  };
  let current = null;
  return {
    element, input: secret.input, setError: secret.setError, name: SECRET_FIELD,
    showFor: (kind, channel) => {
      if (channel !== undefined) current = channel;
      showFor(kind, current);
    },
  };
}
