// 为商机开具发票的简体中文文案（components/deal-invoice.js）：商机页面上的操作及其表单。
// 随其加载（i18n.js loadMessages）。键与 en.js 相同（scripts/browser/check_catalogs.mjs 检查）。
export default {
  'invoice.action': "为此商机开具发票",
  'invoice.title': "为此商机开具发票",
  'invoice.intro': "发票为商机的每一行生成一行，价格扣除该行折扣；税额与合计由服务器计算。",
  'invoice.notWon': "只有已赢单的商机才能开具发票。",
  'invoice.number': "发票号",
  'invoice.numberHint': "留空则使用本年度序列的下一个编号。",
  'invoice.issuedOn': "开票日期",
  'invoice.issuedOnHint': "留空则为今天。",
  'invoice.paymentDays': "付款天数",
  'invoice.paymentDaysHint': "从开票日到到期日的天数：0 至 365。",
  'invoice.create': "创建发票",
  'invoice.creating': "正在创建发票…",
  'invoice.refused': "无法为此商机开具发票：{detail}",
  'invoice.openStanding': "打开该发票",
  'invoice.badNumber': "最多 {max} 个字符。",
  'invoice.badDate': "请输入日期，例如 2026-12-31。",
  'invoice.badDays': "请输入 0 至 365 之间的整数天数。",
};
