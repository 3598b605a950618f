// Administration · Routing rules: list, create, edit (PUT stores the next version) with conditions
// and actions as the API takes them (JSON), and the dry run: what routing would do with a sample
// message (POST /v1/rules/dry-run), nothing stored.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { all, none } from './admin-kit.js';
import { crudSection, jsonValue } from './admin-crud.js';
import { field } from './form.js';
import { dryRunCard, TRIGGERS } from './rule-dry-run.js';


const json = (value) => (value === null || value === undefined ? none() : h('code', { class: 'pre' }, JSON.stringify(value)));

export default async function render(context) {
  const channels = await all('/v1/channels', { signal: context.signal }).catch(() => []);
  const dryRun = dryRunCard(channels);
  await crudSection(context, {
    path: '/v1/rules',
    name: 'admin.rules',
    update: 'put',
    label: (r) => r.name,
    columns: [
      { label: t('admin.rules.name'), cell: (r) => h('span', null, r.name, r.enabled ? null : h('span', { class: 'badge' }, ` ${t('admin.rules.disabled')}`)) },
      { label: t('admin.rules.trigger'), cell: (r) => h('span', { class: 'mono' }, r.trigger) },
      { label: t('admin.rules.position'), cell: (r) => String(r.position) },
      { label: t('admin.rules.conditions'), cell: (r) => json(r.conditions) },
      { label: t('admin.rules.actions'), cell: (r) => json(r.actions) },
      { label: t('admin.rules.version'), cell: (r) => `v${r.version}${r.stop ? ` · ${t('admin.rules.stops')}` : ''}` },
    ],
    fields: () => [
      field({ label: t('admin.rules.name'), name: 'name', required: true, autocomplete: 'off' }),
      field({ label: t('admin.rules.trigger'), name: 'trigger', as: 'select', value: TRIGGERS[0], options: TRIGGERS.map((v) => ({ value: v, label: v })) }),
      field({ label: t('admin.rules.position'), name: 'position', type: 'number', hint: t('admin.rules.positionHint'), attrs: { min: 0, step: 1, inputmode: 'numeric' } }),
      field({ label: t('admin.rules.enabled'), name: 'enabled', type: 'checkbox', attrs: { checked: true } }),
      field({ label: t('admin.rules.stop'), name: 'stop', type: 'checkbox', hint: t('admin.rules.stopHint') }),
      field({ label: t('admin.rules.conditions'), name: 'conditions', as: 'textarea', hint: t('admin.rules.conditionsHint'), attrs: { class: 'json-box', spellcheck: 'false' } }),
      field({ label: t('admin.rules.actions'), name: 'actions', as: 'textarea', required: true, hint: t('admin.rules.actionsHint'), attrs: { class: 'json-box', spellcheck: 'false' } }),
    ],
    required: ['name', 'actions'],
    fill: (f, r) => {
      f.name.input.value = r.name;
      f.trigger.input.value = r.trigger;
      f.position.input.value = String(r.position ?? '');
      f.enabled.input.checked = r.enabled !== false;
      f.stop.input.checked = Boolean(r.stop);
      f.conditions.input.value = r.conditions ? JSON.stringify(r.conditions, null, 2) : '';
      f.actions.input.value = JSON.stringify(r.actions ?? {}, null, 2);
    },
    toBody: (f) => {
      const body = {
        name: f.name.input.value.trim(),
        trigger: f.trigger.input.value,
        enabled: f.enabled.input.checked,
        stop: f.stop.input.checked,
        conditions: jsonValue(f.conditions),
        actions: jsonValue(f.actions, { allowNull: false }),
      };
      const position = f.position.input.value.trim();
      if (position) {
        if (!/^\d+$/.test(position)) throw { field: 'position', message: t('admin.rules.positionInvalid') };
        body.position = Number(position);
      }
      return body;
    },
  });
  context.container.append(dryRun);
}
