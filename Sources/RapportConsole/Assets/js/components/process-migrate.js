// "Move to another version" for a running instance (processes:define): a select of the process's
// other versions and Move (POST /v1/process-instances/{id}/migrate {"version": N}). The server
// moves each token to the node of the same id, or refuses naming the one that cannot move (409):
// that refusal is shown as text beside the form and nothing moves.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';

/**
 * `instance` (running), `newest`: the process's newest version number; `onMoved(instance)` after
 * the server moved it. Returns { element } — nothing when there is no other version.
 */
export function migrateCard({ instance, newest, signal, onMoved }) {
  const current = Number(instance.process_version);
  const others = Array.from({ length: Number(newest) || 0 }, (_, i) => Number(newest) - i).filter((v) => v !== current);
  if (others.length === 0 || instance.status !== 'running') return { element: null };
  const selectId = uid('migrate-version');
  const errorId = uid('migrate-error');
  const select = h('select', { id: selectId, name: 'version', 'data-field': 'migrate-version', 'aria-describedby': errorId },
    others.map((v) => h('option', { value: String(v) }, v === Number(newest) ? t('processes.versionNewest', { version: v }) : t('processes.versionN', { version: v }))));
  const error = h('p', { id: errorId, class: 'field-error', role: 'alert', hidden: true, 'data-field': 'migrate-error' });
  const move = h('button', { type: 'submit', class: 'button button-small', 'data-action': 'migrate-instance' }, t('processes.migrate.move'));
  const form = h('form', { class: 'form form-inline', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: selectId }, t('processes.migrate.label')), select), h('div', { class: 'form-actions' }, move));
  const element = h('section', { class: 'card', 'aria-labelledby': 'instance-migrate-title', 'data-card': 'migrate' },
    h('h2', { id: 'instance-migrate-title' }, t('processes.migrate.title')),
    h('p', { class: 'muted' }, t('processes.migrate.intro', { version: current })), form, error);
  const say = (message) => { replace(error, message ?? ''); error.hidden = !message; select.setAttribute('aria-invalid', String(Boolean(message))); };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (move.disabled) return;
    const version = Number(select.value);
    if (!window.confirm(t('processes.migrate.confirm', { from: current, to: version }))) return;
    say(null);
    move.disabled = true;
    try {
      const moved = await api.post(`/v1/process-instances/${seg(instance.id)}/migrate`, { version }, { signal });
      onMoved(moved);
    } catch (failure) {
      if (isAbort(failure) || failure.status === 401) return;
      say(failure.status === 403 ? t('processes.forbidden')
        : failure.status === 409 ? t('processes.migrate.refused', { reason: failure.problem?.detail ?? '' })
          : failure.status === 404 ? t('processes.migrate.noVersion', { version })
            : t('app.error'));
      select.focus();
    } finally {
      move.disabled = false;
    }
  });
  return { element };
}
