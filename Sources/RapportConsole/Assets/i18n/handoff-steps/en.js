// English messages of a handoff's steps (components/handoff-step.js), loaded with it (i18n.js
// loadMessages). Keys are shared with zh-CN.js (scripts/browser/check_catalogs.mjs).
export default {
  'steps.internal': "Internal handoff",
  'steps.summary': "Handoff {route}: {step}",
  'steps.step.requested': "requested",
  'steps.step.accepted': "accepted",
  'steps.step.declined': "declined",
  'steps.step.done': "done",
  'steps.step.cancelled': "cancelled",
  'steps.step.escalated': "escalated",
  'steps.by': "by {name}",
  'steps.detail.requested': "Reason:",
  'steps.detail.declined': "Declined because:",
  'steps.detail.done': "Outcome:",
  'steps.detail.other': "Note:",
};
