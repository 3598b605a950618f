extension RecordTemplates {
    /// Deals through a pipeline with their lines and quotes: what the weighted forecast reads.
    public static let sales = RecordTemplate(name: "sales", label: "Sales", summary: "Deals with line items and quotes, in a pipeline with a weighted forecast.",
                                             requires: [], definitions: #"""
    [
      {"key": "deal", "label": "Deal", "plural_label": "Deals", "description": "A sale in the making, from first need to won or lost.",
       "fields": [
         {"key": "title", "label": "Title", "kind": "text", "required": true},
         {"key": "amount", "label": "Amount", "kind": "money"},
         {"key": "close_date", "label": "Expected close", "kind": "date"},
         {"key": "owner", "label": "Owner", "kind": "reference", "target": "user"},
         {"key": "department", "label": "Department", "kind": "reference", "target": "department"},
         {"key": "source", "label": "Source", "kind": "choice", "choices": [
           {"key": "web", "label": "Web"}, {"key": "email", "label": "Email"}, {"key": "phone", "label": "Phone"}, {"key": "chat", "label": "Chat"},
           {"key": "store", "label": "Store"}, {"key": "app", "label": "Mobile app"}, {"key": "referral", "label": "Referral"}, {"key": "event", "label": "Event"}]},
         {"key": "needs", "label": "Customer needs", "kind": "long_text"},
         {"key": "lost_reason", "label": "Why lost", "kind": "text"}],
       "stages": [
         {"key": "qualification", "label": "Qualification", "probability": 10},
         {"key": "needs_analysis", "label": "Needs analysis", "probability": 25},
         {"key": "proposal", "label": "Proposal", "probability": 50, "required_fields": ["amount"]},
         {"key": "negotiation", "label": "Negotiation", "probability": 75, "required_fields": ["amount", "close_date"]},
         {"key": "won", "label": "Won", "outcome": "won", "required_fields": ["amount"]},
         {"key": "lost", "label": "Lost", "outcome": "lost", "required_fields": ["lost_reason"]}],
       "automations": [
         {"key": "won_to_finance", "label": "A won deal goes to finance", "on": "stage", "stage": "won", "handoff": {"kind": "won_deal", "reason": "A deal was won: invoice its lines", "sla_minutes": 480}}]},
      {"key": "deal_line", "label": "Deal line", "plural_label": "Deal lines",
       "fields": [
         {"key": "deal", "label": "Deal", "kind": "reference", "target": "record:deal", "required": true},
         {"key": "product", "label": "Product", "kind": "text", "required": true},
         {"key": "quantity", "label": "Quantity", "kind": "number", "required": true, "default": 1, "validation": "value > 0"},
         {"key": "unit_price", "label": "Unit price", "kind": "money", "required": true},
         {"key": "discount", "label": "Discount", "kind": "percent", "default": 0, "validation": "value >= 0 && value <= 100"},
         {"key": "tax_rate", "label": "Tax rate", "kind": "percent", "default": 0, "validation": "value >= 0 && value <= 100"}]},
      {"key": "quote", "label": "Quote", "plural_label": "Quotes",
       "fields": [
         {"key": "deal", "label": "Deal", "kind": "reference", "target": "record:deal", "required": true},
         {"key": "number", "label": "Number", "kind": "text", "required": true, "unique": true},
         {"key": "valid_until", "label": "Valid until", "kind": "date"},
         {"key": "total", "label": "Total", "kind": "money"}],
       "stages": [
         {"key": "draft", "label": "Draft", "probability": 0},
         {"key": "sent", "label": "Sent", "probability": 50, "required_fields": ["total", "valid_until"]},
         {"key": "accepted", "label": "Accepted", "outcome": "won"},
         {"key": "declined", "label": "Declined", "outcome": "lost"}]}
    ]
    """#)
}
