// Administration · Channels: list, create, edit (kind, name, an email channel's address, a phone
// channel's call webhook secret and the address its provider sends call events to, a chat
// channel's widget, and the channel's other settings as JSON). The secrets are write-only: the
// server only says whether one is set, so a secret given here (typed, or generated in the browser)
// is shown once, after saving. A chat channel, once saved, shows the tag that embeds its widget in
// a site's pages; its colour, greeting, allowed origins and identity secret (`settings.widget`)
// have their own fields, and the JSON box leaves `widget` out.

import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { copyable } from './admin-kit.js';
import { crudSection, jsonValue } from './admin-crud.js';
import { field } from './form.js';

const KINDS = ['web', 'email', 'phone', 'chat', 'sms', 'social', 'store', 'mobile_app', 'api'];
const SECRET = 'call_webhook_secret';
const SECRET_FIELD = `settings.${SECRET}`;
const WIDGET = 'settings.widget';
const COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
// What the widget uses when no colour is set (widget/chat.js).
const DEFAULT_COLOUR = '#0b5fff';

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
      const chat = chatSettings();
      kind.input.addEventListener('change', () => { phone.showFor(kind.input.value); chat.showFor(kind.input.value); });
      chat.showFor(kind.input.value, null);
      return [
        field({ label: t('admin.channels.name'), name: 'name', required: true, autocomplete: 'off' }),
        kind,
        field({ label: t('admin.channels.address'), name: 'address', type: 'email', hint: t('admin.channels.addressHint') }),
        phone,
        chat,
        // The widget's own fields live in its fieldset; listed here (without an element of their
        // own) so that the server's errors for settings.widget.* find them.
        ...chat.parts.map((part) => ({ ...part, element: null })),
        field({ label: t('admin.channels.settings'), name: 'settings', as: 'textarea', hint: t('admin.jsonHint'), attrs: { class: 'json-box', spellcheck: 'false' } }),
      ];
    },
    required: ['name'],
    fill: (f, c) => {
      f.name.input.value = c.name;
      f.kind.input.value = c.kind;
      const { address, [SECRET]: secret, [`${SECRET}_set`]: isSet, ...rest } = c.settings || {};
      f.address.input.value = typeof address === 'string' ? address : '';
      // A chat channel's widget has its own fields.
      if (c.kind === 'chat') {
        f[WIDGET].fill(rest.widget);
        delete rest.widget;
      }
      f.settings.input.value = Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '';
    },
    onEdit: (f, c) => {
      f[SECRET_FIELD].showFor(f.kind.input.value, c);
      f[WIDGET].showFor(f.kind.input.value, c);
    },
    toBody: (f) => {
      const settings = jsonValue(f.settings) || {};
      const address = f.address.input.value.trim();
      if (address) settings.address = address;
      else delete settings.address;
      delete settings[`${SECRET}_set`];
      const kind = f.kind.input.value;
      if (kind === 'chat') {
        if ('widget' in settings) throw { field: 'settings', message: t('admin.channels.widgetInJson') };
        // Always given, so that an edit without a new identity secret keeps the stored one.
        settings.widget = f[WIDGET].value();
      }
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
        const identity = body.settings?.widget?.identity_secret;
        return h('div', { class: 'notice notice-info', 'data-result': 'chat-channel' },
          copyable(t('admin.channels.widgetTag'), widgetTag(c)), h('p', { class: 'small' }, t('admin.channels.widgetTagHint')),
          identity ? h('div', { 'data-field': 'identity-secret' },
            copyable(t('admin.channels.identitySecret'), identity),
            h('p', { class: 'small' }, t('admin.channels.identitySecretOnce')),
            h('p', { class: 'small' }, t('admin.channels.userHashHint'), ' ',
              h('code', null, "crypto.createHmac('sha256', secret).update(userId).digest('hex')"))) : null);
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

/** One line of "allowed origins": `{ origin }` to store, or `{ problem }` to show beside the field. */
function readOrigin(line) {
  // What the server takes: http(s)://, then a host (and port), no path. A trailing "/" is dropped.
  const text = line.replace(/\/$/, '');
  if (!/^https?:\/\/[^\s/?#@]+$/.test(text)) return { problem: t('admin.channels.badOrigin', { origin: line }) };
  let url;
  try {
    url = new URL(text);
  } catch {
    return { problem: t('admin.channels.badOrigin', { origin: line }) };
  }
  // As a browser says it in the Origin header: lower case, no default port, an IDN in punycode.
  return { origin: url.origin };
}

/** 32 random bytes from the browser, in hex. */
function generateIdentitySecret() {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The chat channel's part of the form, shown while the kind is chat: the widget's colour (text and
 * a colour picker), greeting, allowed origins (one a line) and identity secret (write-only, with
 * "Generate" and whether one is set). A field of the form named `settings.widget` (its error is
 * one about the widget as a whole) with `parts` (the fields inside it, by their server names),
 * `showFor(kind, channel)`, `fill(widget)` and `value()` (the widget to send; throws
 * { field, message } after marking every field the page finds wrong).
 */
function chatSettings() {
  const name = (key) => `${WIDGET}.${key}`;
  const colour = field({
    label: t('admin.channels.widgetColour'), name: name('colour'), hint: t('admin.channels.widgetColourHint'), autocomplete: 'off',
    attrs: { class: 'mono', spellcheck: 'false', placeholder: DEFAULT_COLOUR },
  });
  const picker = h('input', { type: 'color', value: DEFAULT_COLOUR, 'aria-label': t('admin.channels.widgetColourPick'), 'data-field': 'colour-picker' });
  const colourRow = h('div', { class: 'secret colour-row' });
  colour.input.replaceWith(colourRow);
  colourRow.append(colour.input, picker);
  const syncPicker = () => {
    const text = colour.input.value.trim();
    if (!COLOUR.test(text)) { if (!text) picker.value = DEFAULT_COLOUR; return; }
    picker.value = (text.length === 4 ? `#${[...text.slice(1)].map((c) => c + c).join('')}` : text).toLowerCase();
  };
  const colourProblem = () => {
    const text = colour.input.value.trim();
    return !text || COLOUR.test(text) ? null : t(`fieldError.${colour.name}`);
  };
  // Checked when saving; an error goes as soon as the field is right. (Not checked on leaving the
  // field: a message appearing then moves what the pointer was about to click.)
  picker.addEventListener('input', () => { colour.input.value = picker.value; colour.setError(null); });
  colour.input.addEventListener('input', () => { syncPicker(); if (!colourProblem()) colour.setError(null); });

  const greeting = field({ label: t('admin.channels.widgetGreeting'), name: name('greeting'), as: 'textarea', hint: t('admin.channels.widgetGreetingHint') });

  const origins = field({
    label: t('admin.channels.widgetOrigins'), name: name('allowed_origins'), as: 'textarea', hint: t('admin.channels.widgetOriginsHint'),
    attrs: { class: 'json-box', spellcheck: 'false', autocapitalize: 'off' },
  });
  const readOrigins = () => {
    const lines = origins.input.value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    const read = lines.map(readOrigin);
    const problems = read.filter((r) => r.problem).map((r) => r.problem);
    return { origins: [...new Set(read.filter((r) => r.origin).map((r) => r.origin))], problem: problems.length ? problems.join(' ') : null };
  };
  origins.input.addEventListener('input', () => { if (!readOrigins().problem) origins.setError(null); });

  const secret = field({
    label: t('admin.channels.identitySecret'), name: name('identity_secret'), hint: t('admin.channels.identitySecretHint'), autocomplete: 'off',
    attrs: { class: 'mono', spellcheck: 'false' },
  });
  const done = h('span', { class: 'muted small', role: 'status' });
  const generate = h('button', { type: 'button', class: 'button button-small', 'data-action': 'generate-identity-secret' }, t('admin.channels.generate'));
  generate.addEventListener('click', () => {
    secret.input.value = generateIdentitySecret();
    secret.setError(null);
    done.textContent = t('admin.channels.generated');
  });
  secret.input.addEventListener('input', () => { done.textContent = ''; if (!secretProblem()) secret.setError(null); });
  const secretRow = h('div', { class: 'secret' });
  secret.input.replaceWith(secretRow);
  secretRow.append(secret.input, generate);
  secret.element.append(done);
  const secretProblem = () => {
    const text = secret.input.value.trim();
    return text && [...text].length < 16 ? t(`fieldError.${secret.name}`) : null;
  };
  const state = h('p', { class: 'small', 'data-field': 'identity-secret-state', hidden: true });

  // An error about the widget as a whole (`settings.widget`, or a field the form has none for).
  const legendId = uid('chat-legend');
  const errorId = uid('chat-error');
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const element = h('fieldset', { class: 'choice chat-settings', 'aria-labelledby': legendId },
    h('legend', { id: legendId }, t('admin.channels.chat')), error,
    colour.element, greeting.element, origins.element, state, secret.element);
  const setError = (message) => {
    error.textContent = message ?? '';
    error.hidden = !message;
    if (message) element.setAttribute('aria-describedby', errorId);
    else element.removeAttribute('aria-describedby');
  };

  let current = null;
  const showFor = (kind, channel) => {
    if (channel !== undefined) current = channel;
    element.hidden = kind !== 'chat';
    done.textContent = '';
    const editing = current && current.kind === 'chat' ? current : null;
    const set = editing?.settings?.widget?.identity_secret_set === true;
    state.textContent = editing ? t(set ? 'admin.channels.identitySecretSetHint' : 'admin.channels.identitySecretMissingHint') : '';
    state.dataset.state = set ? 'set' : 'missing';
    state.hidden = !editing;
    syncPicker();
  };

  const fill = (widget) => {
    const w = widget && typeof widget === 'object' ? widget : {};
    colour.input.value = typeof w.colour === 'string' ? w.colour : '';
    greeting.input.value = typeof w.greeting === 'string' ? w.greeting : '';
    origins.input.value = Array.isArray(w.allowed_origins) ? w.allowed_origins.filter((o) => typeof o === 'string').join('\n') : '';
    secret.input.value = '';
    syncPicker();
  };

  const value = () => {
    const read = readOrigins();
    const problems = [[colour, colourProblem()], [origins, read.problem], [secret, secretProblem()]].filter(([, problem]) => problem);
    for (const [f, problem] of problems) f.setError(problem);
    if (problems.length) throw { field: problems[0][0].name, message: problems[0][1] };
    const widget = {};
    const colourText = colour.input.value.trim();
    if (colourText) widget.colour = colourText;
    // The server checks the greeting's length (in characters, as it counts them).
    const greetingText = greeting.input.value.trim();
    if (greetingText) widget.greeting = greetingText;
    widget.allowed_origins = read.origins;
    // Left empty, the server keeps the identity secret it has.
    const secretText = secret.input.value.trim();
    if (secretText) widget.identity_secret = secretText;
    return widget;
  };

  return { element, input: colour.input, setError, name: WIDGET, parts: [colour, greeting, origins, secret], showFor, fill, value };
}
