// 客户 360 时间线上业务记录的简体中文文案（components/record-entry.js），随其加载（i18n.js loadMessages）。
// 键与 en.js 相同（scripts/browser/check_catalogs.mjs 检查）。
export default {
  'recordEntry.stage': "阶段：{stage}",
  'recordEntry.won': "赢单",
  'recordEntry.lost': "输单",
  'recordEntry.choice': "{field}为「{value}」",
};
