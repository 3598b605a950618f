// #/setup?token=…: set a password from a one-time link. The first admin also gives an email and a
// name; an invited user sees the email the invitation is for.

import { api } from '../api.js';
import { h } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';
import { HOME, navigate } from '../router.js';
import * as session from '../session.js';
import { clearErrors, emailProblem, field, formMessage, passwordProblem, showFieldErrors } from '../components/form.js';

export default async function render({ container, query, signal, setTitle }) {
  const token = query.get('token') ?? '';
  setTitle(t('setup.title'));
  const heading = h('h1', { tabindex: '-1' }, t('setup.title'));
  const page = h('div', { class: 'auth-page' }, heading);
  container.append(page);

  if (!token) {
    page.append(h('div', { class: 'notice notice-error', role: 'alert' }, t('setup.noToken')));
    return;
  }

  let info;
  try {
    info = await api.post('/v1/password-setups/inspect', { token }, { signal, allow401: true });
  } catch (error) {
    if (signal.aborted) return;
    const gone = error.status === 404 || error.status === 410 || error.status === 422;
    page.append(h('div', { class: 'notice notice-error', role: 'alert' }, gone ? t('setup.invalidToken') : t('app.error')));
    if (gone) page.append(h('p', null, h('a', { href: '#/sign-in' }, t('setup.toSignIn'))));
    return;
  }

  const firstAdmin = Boolean(info.first_admin);
  if (firstAdmin) {
    heading.textContent = t('setup.titleFirstAdmin');
    setTitle(t('setup.titleFirstAdmin'));
  }

  const fields = [];
  let email = null;
  let name = null;
  if (firstAdmin) {
    name = field({ label: t('setup.name'), name: 'name', autocomplete: 'name', required: true, value: info.name ?? '', attrs: { 'data-autofocus': true } });
    email = field({ label: t('setup.email'), name: 'email', type: 'text', autocomplete: 'username', attrs: { inputmode: 'email', spellcheck: 'false' }, required: true, value: info.email ?? '' });
    fields.push(name, email);
  }
  const password = field({
    label: t('setup.password'), name: 'password', type: 'password', autocomplete: 'new-password', required: true,
    hint: t('setup.passwordHint', { min: 12, max: 72 }), attrs: firstAdmin ? {} : { 'data-autofocus': true },
  });
  const confirm = field({ label: t('setup.confirm'), name: 'confirm', type: 'password', autocomplete: 'new-password', required: true });
  fields.push(password, confirm);

  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('setup.submit'));
  const intro = firstAdmin
    ? h('p', null, t('setup.introFirst'))
    : h('p', null, t('setup.introInvite', { email: info.email ?? '' }));

  const form = h('form', { class: 'card form auth-form', novalidate: true },
    message.element, fields.map((f) => f.element),
    info.expires_at ? h('p', { class: 'muted small' }, t('setup.expires', { time: formatDateTime(info.expires_at) })) : null,
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    const problems = [];
    if (firstAdmin) {
      problems.push([name, name.input.value.trim() ? null : t('validation.required')]);
      problems.push([email, emailProblem(email.input.value)]);
    }
    problems.push([password, passwordProblem(password.input.value)]);
    problems.push([confirm, !confirm.input.value ? t('validation.required')
      : confirm.input.value !== password.input.value ? t('validation.passwordMismatch') : null]);
    let first = null;
    for (const [f, problem] of problems) {
      f.setError(problem);
      if (problem) first ??= f;
    }
    if (first) { first.input.focus(); return; }

    const body = { token, password: password.input.value };
    if (firstAdmin) {
      body.email = email.input.value.trim();
      body.name = name.input.value.trim();
    }
    submit.disabled = true;
    try {
      const created = await api.post('/v1/password-setups/complete', body, { allow401: true });
      session.adopt(created);
      navigate(HOME, { replace: true });
    } catch (error) {
      submit.disabled = false;
      if (error.status === 422 && showFieldErrors(error, fields) > 0) return;
      if (error.status === 404 || error.status === 410) message.show(t('setup.invalidToken'));
      else message.show(t('app.error'));
      console.warn('setup', error);
    }
  });

  page.append(intro, form);
}
