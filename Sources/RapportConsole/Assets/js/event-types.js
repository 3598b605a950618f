// Every event type the server writes to its log (`rapport.{entity}.{change}`). The stream names
// each message by its type and an EventSource can only listen by name, so a page that follows
// any type lists them here.

const CHANGES = {
  agent: ['updated'],
  api_key: ['created', 'revoked'],
  call: ['ringing', 'answered', 'ended', 'missed', 'voicemail'],
  channel: ['created', 'updated', 'deleted'],
  classifier_model: ['trained'],
  conversation: ['created', 'updated', 'routed'],
  customer: ['created', 'updated', 'deleted', 'absorbed', 'restored', 'merged', 'unmerged'],
  department: ['created', 'updated', 'deleted'],
  duplicate: ['proposed', 'accepted', 'rejected'],
  interaction: ['created'],
  keyword_set: ['created', 'updated', 'deleted'],
  mail: ['queued', 'sent', 'deferred', 'bounced', 'failed', 'unconfirmed'],
  match_model: ['trained'],
  meeting: ['scheduled', 'updated', 'cancelled', 'answered'],
  notification: ['created'],
  process: ['started', 'advanced', 'incident', 'completed', 'terminated', 'cancelled'],
  process_definition: ['deployed'],
  queue: ['created', 'updated'],
  record: ['created', 'updated', 'deleted'],
  record_type: ['created', 'updated'],
  routing: ['signal'],
  routing_rule: ['created', 'updated', 'deleted'],
  segment: ['created', 'updated', 'deleted', 'entered', 'left'],
  settings: ['updated'],
  subscription: ['created', 'updated', 'deleted', 'disabled', 'secret_rotated'],
  user: ['created', 'updated'],
};

export const EVENT_TYPES = Object.entries(CHANGES).flatMap(([entity, changes]) => changes.map((change) => `rapport.${entity}.${change}`));
