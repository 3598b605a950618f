// The routing dry run: a sample message (trigger, channel, subject, body) and what routing would
// do with it: the rules that match and fail, the one that stopped the run, keyword hits, the
// classifier's prediction and the resulting actions. Nothing is stored.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { formatPercent, has, t } from '../i18n.js';
import { card, errorText, options, showErrors } from './admin-kit.js';
import { clearErrors, field, formMessage } from './form.js';

export const TRIGGERS = ['interaction.created', 'conversation.created', 'conversation.changed', 'customer.changed'];

export function dryRunCard(channels) {
  const trigger = field({ label: t('admin.rules.trigger'), name: 'trigger', as: 'select', value: TRIGGERS[0], options: TRIGGERS.map((v) => ({ value: v, label: v })) });
  const channel = field({ label: t('dryRun.channel'), name: 'channel_id', as: 'select', value: '', options: options(channels, (c) => `${c.name} (${t(`channel.kind.${c.kind}`)})`, t('dryRun.anyChannel')) });
  const subject = field({ label: t('dryRun.subject'), name: 'subject', autocomplete: 'off' });
  const body = field({ label: t('dryRun.body'), name: 'body', as: 'textarea' });
  const fields = [trigger, channel, subject, body];
  const message = formMessage();
  const result = h('div', { class: 'dry-run-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'dry-run' }, t('dryRun.run'));
  const form = h('form', { class: 'form', novalidate: true, 'data-form': 'dry-run' },
    message.element, fields.map((f) => f.element), h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    const sample = { trigger: trigger.input.value };
    if (channel.input.value) sample.channel_id = channel.input.value;
    if (subject.input.value.trim()) sample.subject = subject.input.value.trim();
    if (body.input.value.trim()) sample.body = body.input.value.trim();
    if (!sample.subject && !sample.body) { body.setError(t('dryRun.needText')); body.input.focus(); return; }
    submit.disabled = true;
    try {
      replace(result, outcome(await api.post('/v1/rules/dry-run', sample)));
    } catch (error) {
      if (error.status === 401) return;
      if (!(error.status === 422 && showErrors(error, fields) > 0)) message.show(errorText(error));
    } finally {
      submit.disabled = false;
    }
  });
  return card(t('dryRun.title'), h('p', { class: 'muted small' }, t('dryRun.intro')), form, result);
}

function ruleName(rule) {
  const name = rule?.name ?? rule?.rule_id ?? JSON.stringify(rule);
  const detail = rule?.error ?? rule?.message ?? rule?.reason;
  return `${name}${rule?.version ? ` (v${rule.version})` : ''}${detail ? `: ${detail}` : ''}`;
}

function outcome(run) {
  const rows = [];
  const row = (key, ...content) => rows.push(h('dt', null, t(key)), h('dd', null, ...content));
  const list = (items) => h('ul', null, items.map((item) => h('li', null, item)));
  const matched = run.matched_rules ?? [];
  row('decision.matched', matched.length ? list(matched.map(ruleName)) : h('span', { class: 'muted' }, t('decision.noRules')));
  if (run.failed_rules?.length) row('decision.failed', list(run.failed_rules.map(ruleName)));
  if (run.unusable_rules?.length) row('dryRun.unusable', list(run.unusable_rules.map(ruleName)));
  if (run.stopped_by) row('decision.stoppedBy', run.stopped_by);
  const hits = Object.entries(run.keywords ?? {});
  if (hits.length) {
    row('decision.keywords', h('ul', { class: 'tags' }, hits.flatMap(([set, found]) =>
      (Array.isArray(found) ? found : []).map((hit) => h('li', null, h('mark', null, hit.term ?? String(hit)), ' ', h('span', { class: 'muted small' }, set))))));
  }
  if (run.prediction) {
    const p = run.prediction;
    const confidence = p.probability ?? p.confidence ?? p.score;
    row('decision.prediction', `${p.label ?? JSON.stringify(p)}${typeof confidence === 'number' ? ` (${formatPercent(confidence, 1)})` : ''}`);
  }
  const actions = Object.entries(run.actions ?? {});
  row('decision.result', actions.length
    ? h('dl', { class: 'fields' }, actions.flatMap(([name, value]) => [h('dt', null, has(`dryRun.action.${name}`) ? t(`dryRun.action.${name}`) : name), h('dd', null, Array.isArray(value) ? value.join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value))]))
    : t('decision.unrouted'));
  if (run.reason) row('decision.reason', run.reason);
  if (typeof run.within_business_hours === 'boolean') row('dryRun.businessHours', t(run.within_business_hours ? 'dryRun.inside' : 'dryRun.outside'));
  if (run.problems?.length) row('decision.problems', run.problems.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('; '));
  return h('div', { class: 'decision', 'data-result': 'dry-run' }, h('h3', { class: 'subheading' }, t('dryRun.result')), h('dl', null, rows));
}
