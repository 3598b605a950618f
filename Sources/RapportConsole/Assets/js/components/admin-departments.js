// Administration · Departments: list, create, edit (key, name, description).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { none } from './admin-kit.js';
import { crudSection } from './admin-crud.js';
import { field } from './form.js';

export default function render(context) {
  return crudSection(context, {
    path: '/v1/departments',
    name: 'admin.departments',
    label: (d) => d.name,
    columns: [
      { label: t('admin.departments.name'), cell: (d) => d.name },
      { label: t('admin.departments.key'), cell: (d) => h('span', { class: 'mono' }, d.key) },
      { label: t('admin.departments.description'), cell: (d) => d.description || none() },
    ],
    fields: () => [
      field({ label: t('admin.departments.name'), name: 'name', required: true, autocomplete: 'off' }),
      field({ label: t('admin.departments.key'), name: 'key', required: true, autocomplete: 'off', hint: t('admin.departments.keyHint'), attrs: { spellcheck: 'false', pattern: '[a-z][a-z0-9_-]{0,39}' } }),
      field({ label: t('admin.departments.description'), name: 'description', as: 'textarea' }),
    ],
    required: ['name', 'key'],
    fill: (f, d) => { f.name.input.value = d.name; f.key.input.value = d.key; f.description.input.value = d.description ?? ''; },
    toBody: (f) => ({ name: f.name.input.value.trim(), key: f.key.input.value.trim(), description: f.description.input.value.trim() || null }),
    onChange: () => lookups.invalidate('departments'),
  });
}
