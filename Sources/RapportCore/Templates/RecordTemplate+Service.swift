extension RecordTemplates {
    /// Cases with their SLA, and satisfaction answers (CSAT and NPS).
    public static let service = RecordTemplate(name: "service", label: "Customer service",
                                               summary: "Cases with SLAs through their states, and CSAT and NPS responses.",
                                               requires: [], definitions: #"""
    [
      {"key": "case", "label": "Case", "plural_label": "Cases",
       "fields": [
         {"key": "subject", "label": "Subject", "kind": "text", "required": true},
         {"key": "description", "label": "Description", "kind": "long_text"},
         {"key": "priority", "label": "Priority", "kind": "choice", "required": true, "default": "normal", "choices": [
           {"key": "low", "label": "Low"}, {"key": "normal", "label": "Normal"}, {"key": "high", "label": "High"}, {"key": "urgent", "label": "Urgent"}]},
         {"key": "category", "label": "Category", "kind": "choice", "choices": [
           {"key": "question", "label": "Question"}, {"key": "complaint", "label": "Complaint"}, {"key": "feedback", "label": "Feedback"},
           {"key": "incident", "label": "Incident"}, {"key": "request", "label": "Request"}]},
         {"key": "channel", "label": "Channel", "kind": "choice", "choices": [
           {"key": "email", "label": "Email"}, {"key": "chat", "label": "Chat"}, {"key": "phone", "label": "Phone"},
           {"key": "web", "label": "Web"}, {"key": "store", "label": "Store"}, {"key": "app", "label": "Mobile app"}, {"key": "social", "label": "Social"}]},
         {"key": "sla_due_at", "label": "Answer due", "kind": "datetime"},
         {"key": "resolution", "label": "Resolution", "kind": "long_text"}],
       "stages": [
         {"key": "new", "label": "New", "probability": 0},
         {"key": "in_progress", "label": "In progress", "probability": 0},
         {"key": "waiting_on_customer", "label": "Waiting on the customer", "probability": 0},
         {"key": "resolved", "label": "Resolved", "outcome": "won", "required_fields": ["resolution"]},
         {"key": "closed_unresolved", "label": "Closed unresolved", "outcome": "lost"}],
       "automations": [
         {"key": "feedback_to_sales", "label": "Feedback goes to sales", "on": "changed", "when": "record.fields.category == \"feedback\"", "handoff": {"kind": "feedback", "reason": "Feedback from a service case", "sla_minutes": 480}}]},
      {"key": "satisfaction", "label": "Satisfaction response", "plural_label": "Satisfaction responses",
       "fields": [
         {"key": "kind", "label": "Survey", "kind": "choice", "required": true, "choices": [
           {"key": "csat", "label": "CSAT (1 to 5)"}, {"key": "nps", "label": "NPS (0 to 10)"}]},
         {"key": "score", "label": "Score", "kind": "number", "required": true,
          "validation": "(record.kind == \"csat\" && value >= 1 && value <= 5) || (record.kind == \"nps\" && value >= 0 && value <= 10)"},
         {"key": "comment", "label": "Comment", "kind": "long_text"},
         {"key": "case", "label": "Case", "kind": "reference", "target": "record:case"}],
       "automations": [
         {"key": "low_score_to_sales", "label": "A low score goes to sales", "on": "created", "when": "(record.fields.kind == \"csat\" && record.fields.score <= 2) || (record.fields.kind == \"nps\" && record.fields.score <= 6)", "handoff": {"kind": "feedback", "reason": "A customer gave a low satisfaction score", "sla_minutes": 240}}]}
    ]
    """#)
}
