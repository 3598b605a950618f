// “交接”表单的简体中文文案（components/handoff-form.js），随表单加载（i18n.js loadMessages）。
// 键与 en.js 相同（scripts/browser/check_catalogs.mjs 检查）。
export default {
  'handoffs.form.title': "交接给其他部门",
  'handoffs.form.kind': "类型",
  'handoffs.form.to': "接收部门",
  'handoffs.form.chooseTo': "请选择…",
  'handoffs.form.toRequired': "请选择部门。",
  'handoffs.form.reason': "原因",
  'handoffs.form.sla': "答复时限（工作小时）",
  'handoffs.form.slaHint': "按接收部门的工作时间计算。",
  'handoffs.form.badSla': "请输入 1 到 720 的整数小时。",
  'handoffs.form.saved': "已交接。",
  'handoffs.form.forbidden': "你无权从此部门发起交接。",
};
