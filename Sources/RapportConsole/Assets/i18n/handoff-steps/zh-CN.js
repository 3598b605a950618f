// 交接步骤的简体中文文案（components/handoff-step.js），随组件加载（i18n.js loadMessages）。
// 键与 en.js 相同（scripts/browser/check_catalogs.mjs 检查）。
export default {
  'steps.internal': "内部交接",
  'steps.summary': "交接 {route}：{step}",
  'steps.step.requested': "已发起",
  'steps.step.accepted': "已接受",
  'steps.step.declined': "已拒绝",
  'steps.step.done': "已完成",
  'steps.step.cancelled': "已取消",
  'steps.step.escalated': "已升级",
  'steps.by': "操作人：{name}",
  'steps.detail.requested': "原因：",
  'steps.detail.declined': "拒绝原因：",
  'steps.detail.done': "结果：",
  'steps.detail.other': "说明：",
};
