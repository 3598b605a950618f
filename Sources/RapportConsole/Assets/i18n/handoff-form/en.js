// English messages of the "Hand off" form (components/handoff-form.js), loaded with it (i18n.js
// loadMessages). Keys are shared with zh-CN.js (scripts/browser/check_catalogs.mjs).
export default {
  'handoffs.form.title': "Hand off to another department",
  'handoffs.form.kind': "Kind",
  'handoffs.form.to': "To department",
  'handoffs.form.chooseTo': "Choose…",
  'handoffs.form.toRequired': "Choose the department.",
  'handoffs.form.reason': "Reason",
  'handoffs.form.sla': "Answer within (business hours)",
  'handoffs.form.slaHint': "In the receiving department's business hours.",
  'handoffs.form.badSla': "Enter whole hours, 1 to 720.",
  'handoffs.form.saved': "Handed off.",
  'handoffs.form.forbidden': "You may not hand off from this department.",
};
