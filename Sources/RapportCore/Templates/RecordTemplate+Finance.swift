extension RecordTemplates {
    /// Orders, invoices with their lines, and payments: where a won deal's lines become an invoice.
    public static let finance = RecordTemplate(name: "finance", label: "Finance", summary: "Orders, invoices with lines and taxes, and payments.",
                                               requires: ["sales"], definitions: #"""
    [
      {"key": "order", "label": "Order", "plural_label": "Orders",
       "fields": [
         {"key": "number", "label": "Number", "kind": "text", "required": true, "unique": true},
         {"key": "ordered_on", "label": "Ordered on", "kind": "date"},
         {"key": "total", "label": "Total", "kind": "money"},
         {"key": "channel", "label": "Channel", "kind": "choice", "choices": [
           {"key": "web", "label": "Web"}, {"key": "store", "label": "Store"}, {"key": "app", "label": "Mobile app"},
           {"key": "phone", "label": "Phone"}, {"key": "email", "label": "Email"}]},
         {"key": "deal", "label": "Deal", "kind": "reference", "target": "record:deal"}],
       "stages": [
         {"key": "placed", "label": "Placed", "probability": 80},
         {"key": "paid", "label": "Paid", "probability": 95},
         {"key": "fulfilled", "label": "Fulfilled", "outcome": "won"},
         {"key": "cancelled", "label": "Cancelled", "outcome": "lost"}]},
      {"key": "invoice", "label": "Invoice", "plural_label": "Invoices",
       "fields": [
         {"key": "number", "label": "Number", "kind": "text", "required": true, "unique": true},
         {"key": "deal", "label": "Deal", "kind": "reference", "target": "record:deal"},
         {"key": "order", "label": "Order", "kind": "reference", "target": "record:order"},
         {"key": "issued_on", "label": "Issued on", "kind": "date"},
         {"key": "due_on", "label": "Due on", "kind": "date"},
         {"key": "subtotal", "label": "Subtotal", "kind": "money"},
         {"key": "tax", "label": "Tax", "kind": "money"},
         {"key": "total", "label": "Total", "kind": "money"}],
       "stages": [
         {"key": "draft", "label": "Draft", "probability": 0},
         {"key": "issued", "label": "Issued", "probability": 90, "required_fields": ["issued_on", "due_on", "total"]},
         {"key": "overdue", "label": "Overdue", "probability": 60, "required_fields": ["due_on", "total"]},
         {"key": "paid", "label": "Paid", "outcome": "won", "required_fields": ["total"]},
         {"key": "void", "label": "Void", "outcome": "lost"}]},
      {"key": "invoice_line", "label": "Invoice line", "plural_label": "Invoice lines",
       "fields": [
         {"key": "invoice", "label": "Invoice", "kind": "reference", "target": "record:invoice", "required": true},
         {"key": "description", "label": "Description", "kind": "text", "required": true},
         {"key": "quantity", "label": "Quantity", "kind": "number", "required": true, "default": 1, "validation": "value > 0"},
         {"key": "unit_price", "label": "Unit price", "kind": "money", "required": true},
         {"key": "tax_rate", "label": "Tax rate", "kind": "percent", "default": 0, "validation": "value >= 0 && value <= 100"}]},
      {"key": "payment", "label": "Payment", "plural_label": "Payments",
       "fields": [
         {"key": "invoice", "label": "Invoice", "kind": "reference", "target": "record:invoice", "required": true},
         {"key": "amount", "label": "Amount", "kind": "money", "required": true},
         {"key": "received_on", "label": "Received on", "kind": "date", "required": true},
         {"key": "method", "label": "Method", "kind": "choice", "choices": [
           {"key": "card", "label": "Card"}, {"key": "transfer", "label": "Bank transfer"}, {"key": "cash", "label": "Cash"},
           {"key": "direct_debit", "label": "Direct debit"}]}]}
    ]
    """#)
}
