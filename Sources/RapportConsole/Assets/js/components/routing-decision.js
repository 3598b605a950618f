// Why a conversation went where it went: each routing decision with its trigger, the rules that
// matched (and the one that stopped the run), keyword hits, the classifier's prediction and the
// result.

import { h } from '../dom.js';
import { formatNumber, formatPercent, t, timeElement } from '../i18n.js';

const SHOWN = 3; // newest first; older ones behind a disclosure

export function routingDecisions(decisions, refs) {
  const items = [...(decisions ?? [])].reverse();
  const recent = items.slice(0, SHOWN);
  const earlier = items.slice(SHOWN);
  return h('section', { class: 'card decision', 'aria-labelledby': 'decision-title' },
    h('h2', { id: 'decision-title' }, t('decision.title')),
    items.length
      ? h('ol', { class: 'plain-list' }, recent.map((d) => h('li', null, decision(d, refs))))
      : h('p', { class: 'empty' }, t('decision.none')),
    earlier.length
      ? h('details', null, h('summary', null, t('decision.earlier', { count: earlier.length })),
        h('ol', { class: 'plain-list' }, earlier.map((d) => h('li', null, decision(d, refs)))))
      : null);
}

function decision(d, refs) {
  const rows = [];
  const row = (key, ...content) => rows.push(h('dt', null, t(key)), h('dd', null, ...content));
  row('decision.trigger', h('span', { class: 'mono' }, d.trigger ?? ''), d.created_at ? [' · ', timeElement(d.created_at)] : null);
  const matched = (d.matched_rules ?? []).map(ruleName);
  row('decision.matched', matched.length ? matched.join(', ') : h('span', { class: 'muted' }, t('decision.noRules')));
  const failed = (d.failed_rules ?? []).map(ruleName);
  if (failed.length) row('decision.failed', failed.join(', '));
  if (d.stopped_by) row('decision.stoppedBy', d.stopped_by);
  const hits = Object.entries(d.keywords ?? {});
  if (hits.length) {
    row('decision.keywords', h('ul', { class: 'tags' }, hits.flatMap(([set, list]) =>
      (Array.isArray(list) ? list : []).map((hit) => h('li', null, h('mark', null, hit.term ?? String(hit)), ' ', h('span', { class: 'muted small' }, set))))));
  }
  if (d.prediction) {
    const p = d.prediction;
    const confidence = p.probability ?? p.confidence ?? p.score;
    row('decision.prediction', h('span', null, p.label ?? JSON.stringify(p),
      typeof confidence === 'number' ? ` (${formatPercent(confidence, 1)})` : ''));
  }
  const result = d.result ?? {};
  const placed = [
    result.department_id ? refs.departments?.get(result.department_id)?.name ?? result.department_id : null,
    result.queue_id ? refs.queues?.get(result.queue_id)?.name ?? result.queue_id : null,
    result.assignee_id ? refs.users?.get(result.assignee_id)?.name ?? result.assignee_id : null,
  ].filter(Boolean);
  row('decision.result', placed.length ? placed.join(' → ') : t('decision.unrouted'),
    result.priority ? ` · ${t(`priority.${result.priority}`)}` : '',
    result.suppressed ? ` · ${t('decision.suppressed', { reason: result.suppressed })}` : '');
  if (d.reason) row('decision.reason', d.reason);
  if (d.problems?.length) row('decision.problems', d.problems.join('; '));
  if (typeof d.duration_ms === 'number') row('decision.duration', t('decision.ms', { ms: formatNumber(d.duration_ms, { maximumFractionDigits: 2 }) }));
  return h('dl', null, rows);
}

function ruleName(rule) {
  if (typeof rule === 'string') return rule;
  const name = rule?.name ?? rule?.rule_name ?? rule?.id ?? rule?.rule_id ?? JSON.stringify(rule);
  return rule?.version ? `${name} (v${rule.version})` : name;
}
