// #/sign-in: email and password; field errors beside the fields, the wait time when throttled.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { afterSignIn } from '../router.js';
import * as session from '../session.js';
import { clearErrors, emailProblem, field, formMessage, showFieldErrors } from '../components/form.js';

export default function render({ container, setTitle, onCleanup }) {
  setTitle(t('signIn.title'));
  const email = field({ label: t('signIn.email'), name: 'email', type: 'text', autocomplete: 'username', attrs: { inputmode: 'email', spellcheck: 'false', 'data-autofocus': true }, required: true });
  const password = field({ label: t('signIn.password'), name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const fields = [email, password];
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('signIn.submit'));

  let timer = null;
  onCleanup(() => clearInterval(timer));

  const throttle = (seconds) => {
    clearInterval(timer);
    let left = Math.max(1, seconds);
    submit.disabled = true;
    message.show(t('signIn.throttled', { count: left }));
    timer = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        submit.disabled = false;
        message.show(t('signIn.tryAgainNow'), 'info');
      }
    }, 1000);
  };

  const form = h('form', { class: 'card form auth-form', novalidate: true, 'aria-labelledby': 'sign-in-title' },
    message.element, email.element, password.element,
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    const problems = [[email, emailProblem(email.input.value)], [password, password.input.value ? null : t('validation.required')]];
    let first = null;
    for (const [f, problem] of problems) {
      f.setError(problem);
      if (problem) first ??= f;
    }
    if (first) { first.input.focus(); return; }

    submit.disabled = true;
    submit.textContent = t('signIn.submitting');
    try {
      await session.signIn(email.input.value.trim(), password.input.value);
      afterSignIn();
      return;
    } catch (error) {
      submit.textContent = t('signIn.submit');
      submit.disabled = false;
      if (error.status === 401) {
        message.show(t('signIn.invalid'));
        password.input.value = '';
        password.input.focus();
      } else if (error.status === 429) {
        throttle(error.retryAfter ?? 60);
      } else if (error.status === 422 && showFieldErrors(error, fields) > 0) {
        // shown beside the fields
      } else {
        message.show(t('app.error'));
        console.warn('sign-in', error);
      }
    }
  });

  container.append(h('div', { class: 'auth-page' },
    h('h1', { id: 'sign-in-title', tabindex: '-1' }, t('signIn.title')),
    h('p', { class: 'muted' }, t('signIn.intro')),
    form));
}
