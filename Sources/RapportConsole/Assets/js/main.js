// Start-up: language, session, header, the call notices, routes.

import { onUnauthorized } from './api.js';
import { h } from './dom.js';
import { onLocaleChange, preferredLocale, setLocale, t } from './i18n.js';
import * as router from './router.js';
import * as session from './session.js';
import { mountCallNotices } from './components/call-notices.js';
import { mountHeader } from './components/header.js';

async function boot() {
  // Three things a first screen waits for, started at once rather than one after the other: the
  // language catalog, the session, and the current page's modules.
  router.prefetch();
  const restoring = session.restore().then(() => null, (error) => error);
  await setLocale(preferredLocale());

  const skip = document.getElementById('skip-link');
  const main = document.getElementById('main');
  const labelStatic = () => {
    skip.textContent = t('app.skip');
    document.title = t('app.name');
  };
  labelStatic();
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });

  onUnauthorized(() => {
    session.forget();
    router.toSignIn();
  });

  mountHeader(document.getElementById('app-header'));
  onLocaleChange(() => {
    labelStatic();
    router.reload();
  });

  const failure = await restoring;
  if (failure) {
    console.error(failure);
    main.replaceChildren(h('div', { class: 'notice notice-error', role: 'alert' }, t('app.unreachable')));
    return;
  }
  mountCallNotices(document.body);
  router.start(main);
}

boot();
