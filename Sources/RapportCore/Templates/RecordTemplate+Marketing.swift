extension RecordTemplates {
    /// Campaigns to a segment's members (segments are `/v1/segments`), each customer's result, and
    /// consent per channel and purpose.
    public static let marketing = RecordTemplate(name: "marketing", label: "Marketing",
                                                 summary: "Campaigns to a segment (/v1/segments) with each customer's result, and consent per channel and purpose.",
                                                 requires: [], definitions: #"""
    [
      {"key": "campaign", "label": "Campaign", "plural_label": "Campaigns",
       "fields": [
         {"key": "name", "label": "Name", "kind": "text", "required": true},
         {"key": "channel", "label": "Channel", "kind": "choice", "required": true, "default": "email", "choices": [
           {"key": "email", "label": "Email"}, {"key": "sms", "label": "SMS"}, {"key": "social", "label": "Social"},
           {"key": "web", "label": "Web"}, {"key": "phone", "label": "Phone"}, {"key": "event", "label": "Event"}]},
         {"key": "segment", "label": "Audience (segment id)", "kind": "text", "validation": "value.startsWith(\"seg_\")"},
         {"key": "starts_on", "label": "Starts on", "kind": "date"},
         {"key": "ends_on", "label": "Ends on", "kind": "date"},
         {"key": "budget", "label": "Budget", "kind": "money"},
         {"key": "sent", "label": "Sent", "kind": "number", "default": 0},
         {"key": "opened", "label": "Opened", "kind": "number", "default": 0},
         {"key": "clicked", "label": "Clicked", "kind": "number", "default": 0},
         {"key": "converted", "label": "Converted", "kind": "number", "default": 0}],
       "stages": [
         {"key": "planned", "label": "Planned", "probability": 0},
         {"key": "scheduled", "label": "Scheduled", "probability": 0, "required_fields": ["segment", "starts_on"]},
         {"key": "running", "label": "Running", "probability": 0, "required_fields": ["segment", "starts_on"]},
         {"key": "done", "label": "Done", "outcome": "won"},
         {"key": "cancelled", "label": "Cancelled", "outcome": "lost"}]},
      {"key": "campaign_result", "label": "Campaign result", "plural_label": "Campaign results",
       "description": "What one customer did with a campaign: on the customer's timeline, counted per campaign with /v1/aggregates.",
       "fields": [
         {"key": "campaign", "label": "Campaign", "kind": "reference", "target": "record:campaign", "required": true},
         {"key": "outcome", "label": "Outcome", "kind": "choice", "required": true, "choices": [
           {"key": "sent", "label": "Sent"}, {"key": "delivered", "label": "Delivered"}, {"key": "opened", "label": "Opened"},
           {"key": "clicked", "label": "Clicked"}, {"key": "converted", "label": "Converted"}, {"key": "bounced", "label": "Bounced"},
           {"key": "unsubscribed", "label": "Unsubscribed"}]},
         {"key": "occurred_at", "label": "When", "kind": "datetime", "required": true},
         {"key": "value", "label": "Value", "kind": "money"},
         {"key": "detail", "label": "Detail", "kind": "text"}]},
      {"key": "consent", "label": "Consent", "plural_label": "Consents",
       "fields": [
         {"key": "channel", "label": "Channel", "kind": "choice", "required": true, "choices": [
           {"key": "email", "label": "Email"}, {"key": "sms", "label": "SMS"}, {"key": "phone", "label": "Phone"},
           {"key": "post", "label": "Post"}, {"key": "push", "label": "Push"}]},
         {"key": "purpose", "label": "Purpose", "kind": "choice", "required": true, "choices": [
           {"key": "marketing", "label": "Marketing"}, {"key": "service", "label": "Service"}, {"key": "research", "label": "Research"}]},
         {"key": "status", "label": "Status", "kind": "choice", "required": true, "default": "granted", "choices": [
           {"key": "granted", "label": "Granted"}, {"key": "withdrawn", "label": "Withdrawn"}]},
         {"key": "given_at", "label": "Given at", "kind": "datetime", "required": true},
         {"key": "source", "label": "Where it was given", "kind": "text"}]}
    ]
    """#)
}
