// The matcher's reasons for a duplicate candidate: probability, match weight and, per field, the
// grade of the comparison and the weight it added (log2 of the odds), as a table.

import { h } from '../dom.js';
import { formatNumber, formatPercent, has, t } from '../i18n.js';

export function fieldLabel(field) {
  return has(`matchField.${field}`) ? t(`matchField.${field}`) : field;
}

/** A grade as the matcher names it (`exact`, `jaro_winkler>=0.92`, `damerau_levenshtein<=1`, …). */
export function gradeLabel(grade) {
  if (grade === null || grade === undefined) return t('matchGrade.missing');
  if (has(`matchGrade.${grade}`)) return t(`matchGrade.${grade}`);
  const similar = /^jaro_winkler>=([\d.]+)$/.exec(grade);
  if (similar) return t('matchGrade.similar', { value: formatPercent(Number(similar[1])) });
  const edits = /^damerau_levenshtein<=(\d+)$/.exec(grade);
  if (edits) return t('matchGrade.edits', { count: Number(edits[1]) });
  return grade;
}

const weight = (value) => formatNumber(value ?? 0, { maximumFractionDigits: 1, signDisplay: 'exceptZero' });

export function matchExplanation(candidate) {
  const explanation = candidate.explanation ?? {};
  const fields = explanation.fields ?? [];
  return h('section', { class: 'card', 'aria-labelledby': 'explanation-title' },
    h('h2', { id: 'explanation-title' }, t('review.explanation')),
    h('dl', { class: 'fields' },
      h('dt', null, t('review.probability')), h('dd', null, formatPercent(candidate.probability ?? 0, 1)),
      h('dt', null, t('review.weight')), h('dd', null, weight(candidate.weight)),
      h('dt', null, t('review.prior')), h('dd', null, weight(explanation.prior_weight))),
    h('p', { class: 'muted small' }, t('review.weightHint')),
    h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden' }, t('review.perField')),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('review.field')),
        h('th', { scope: 'col' }, t('review.grade')),
        h('th', { scope: 'col' }, t('review.fieldWeight')))),
      h('tbody', null, fields.map((f) => h('tr', { 'data-field': f.field },
        h('td', null, fieldLabel(f.field)),
        h('td', null, gradeLabel(f.grade), f.term_frequency_adjusted ? h('span', { class: 'muted small' }, ` ${t('review.tfAdjusted')}`) : null),
        h('td', { class: 'mono' }, f.grade === null || f.grade === undefined ? '–' : weight(f.weight)))))));
}
