// English messages of a business record on the Customer 360's timeline (components/record-entry.js),
// loaded with it (i18n.js loadMessages). Keys are shared with zh-CN.js (scripts/browser/check_catalogs.mjs).
export default {
  'recordEntry.stage': "Stage: {stage}",
  'recordEntry.won': "Won",
  'recordEntry.lost': "Lost",
  'recordEntry.choice': "{field}: {value}",
};
