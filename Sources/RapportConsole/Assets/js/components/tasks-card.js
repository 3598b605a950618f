// The Customer 360's "Tasks" card: the customer's open tasks, whoever they are for
// (GET /v1/tasks?view=all&customer_id=…), soonest due first, overdue ones marked; "New task" opens
// the form (task-form.js, loaded then) with the customer filled in.

import { api } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';

export function tasksCard(customerId, { me, signal, canWrite }) {
  const body = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const formSlot = h('div', { id: `customer-task-form-${customerId}` });
  const button = canWrite ? h('button', {
    type: 'button', class: 'button button-small', 'aria-expanded': 'false', 'aria-controls': formSlot.id, 'data-action': 'new-task',
  }, t('tasks.new')) : null;
  const card = h('section', { class: 'card', 'aria-labelledby': 'customer-tasks-title', 'data-card': 'customer-tasks' },
    h('div', { class: 'task-card-head' }, h('h2', { id: 'customer-tasks-title' }, t('tasks.title')), button), formSlot, body);

  const load = () => api.get('/v1/tasks', { query: { view: 'all', customer_id: customerId, limit: 20 }, signal })
    .then((page) => {
      const items = page?.data ?? [];
      replace(body, items.length ? h('ul', { class: 'plain-list task-mini' }, items.map((task) => h('li', { dataset: { taskId: task.id } },
        h('span', { class: 'task-title' }, task.title ?? ''), ' ',
        ['high', 'urgent'].includes(task.priority) ? h('span', { class: `badge badge-priority-${task.priority}` }, t(`tasks.priority.${task.priority}`)) : null,
        task.due_at ? h('span', { class: `task-due${task.overdue ? ' overdue' : ''}` }, task.overdue ? t('tasks.overdueAt') : t('tasks.dueAt'), ' ', timeElement(task.due_at)) : null)))
        : h('p', { class: 'empty' }, t('tasks.customerEmpty')),
      h('p', { class: 'small' }, h('a', { href: '#/tasks' }, t('tasks.all'))));
    })
    .catch((error) => {
      if (isAbort(error) || error.status === 401) return;
      console.warn('tasks', error);
      replace(body, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    });

  const close = () => { formSlot.replaceChildren(); button.setAttribute('aria-expanded', 'false'); button.focus(); };
  button?.addEventListener('click', () => {
    if (button.getAttribute('aria-expanded') === 'true') { close(); return; }
    import('./task-form.js').then(({ taskForm }) => {
      const form = taskForm({ customerId, me, signal, onCancel: close, onSaved: () => load() });
      formSlot.replaceChildren(form.element);
      button.setAttribute('aria-expanded', 'true');
      form.focus();
    }).catch((error) => console.warn('task form', error));
  });
  load();
  return card;
}
