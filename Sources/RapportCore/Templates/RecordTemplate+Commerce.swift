extension RecordTemplates {
    /// Carts that follow the customer across channels, with orders, shipments and returns.
    public static let ecommerce = RecordTemplate(name: "ecommerce", label: "E-commerce",
                                                 summary: "Carts across web, app and store, orders, shipments and returns.",
                                                 requires: ["finance"], definitions: #"""
    [
      {"key": "cart", "label": "Cart", "plural_label": "Carts",
       "fields": [
         {"key": "started_on", "label": "Started on", "kind": "choice", "required": true, "choices": [
           {"key": "web", "label": "Web"}, {"key": "app", "label": "Mobile app"}, {"key": "store", "label": "Store"}]},
         {"key": "last_channel", "label": "Last used on", "kind": "choice", "choices": [
           {"key": "web", "label": "Web"}, {"key": "app", "label": "Mobile app"}, {"key": "store", "label": "Store"}]},
         {"key": "total", "label": "Total", "kind": "money"},
         {"key": "order", "label": "Order", "kind": "reference", "target": "record:order"}],
       "stages": [
         {"key": "open", "label": "Open", "probability": 30},
         {"key": "checked_out", "label": "Checked out", "outcome": "won", "required_fields": ["order"]},
         {"key": "abandoned", "label": "Abandoned", "outcome": "lost"}]},
      {"key": "cart_item", "label": "Cart item", "plural_label": "Cart items",
       "fields": [
         {"key": "cart", "label": "Cart", "kind": "reference", "target": "record:cart", "required": true},
         {"key": "product", "label": "Product", "kind": "text", "required": true},
         {"key": "sku", "label": "SKU", "kind": "text"},
         {"key": "quantity", "label": "Quantity", "kind": "number", "required": true, "default": 1, "validation": "value > 0"},
         {"key": "unit_price", "label": "Unit price", "kind": "money", "required": true}]},
      {"key": "shipment", "label": "Shipment", "plural_label": "Shipments",
       "fields": [
         {"key": "order", "label": "Order", "kind": "reference", "target": "record:order", "required": true},
         {"key": "carrier", "label": "Carrier", "kind": "text"},
         {"key": "tracking_number", "label": "Tracking number", "kind": "text", "unique": true},
         {"key": "shipped_on", "label": "Shipped on", "kind": "date"},
         {"key": "delivered_on", "label": "Delivered on", "kind": "date"}],
       "stages": [
         {"key": "preparing", "label": "Preparing", "probability": 90},
         {"key": "shipped", "label": "Shipped", "probability": 95, "required_fields": ["carrier", "tracking_number", "shipped_on"]},
         {"key": "delivered", "label": "Delivered", "outcome": "won", "required_fields": ["delivered_on"]},
         {"key": "returned_to_sender", "label": "Returned to sender", "outcome": "lost"}]},
      {"key": "return", "label": "Return", "plural_label": "Returns",
       "fields": [
         {"key": "order", "label": "Order", "kind": "reference", "target": "record:order", "required": true},
         {"key": "reason", "label": "Reason", "kind": "choice", "required": true, "choices": [
           {"key": "damaged", "label": "Damaged"}, {"key": "wrong_item", "label": "Wrong item"},
           {"key": "not_as_described", "label": "Not as described"}, {"key": "changed_mind", "label": "Changed mind"}, {"key": "other", "label": "Other"}]},
         {"key": "refund", "label": "Refund", "kind": "money"}],
       "stages": [
         {"key": "requested", "label": "Requested", "probability": 50},
         {"key": "approved", "label": "Approved", "probability": 80},
         {"key": "received", "label": "Received", "probability": 90},
         {"key": "refunded", "label": "Refunded", "outcome": "won", "required_fields": ["refund"]},
         {"key": "rejected", "label": "Rejected", "outcome": "lost"}]}
    ]
    """#)

    /// Accounts, products held and loan applications through underwriting.
    public static let banking = RecordTemplate(name: "banking", label: "Banking",
                                               summary: "Accounts, products held, and loan applications from application to disbursement.",
                                               requires: [], definitions: #"""
    [
      {"key": "account", "label": "Account", "plural_label": "Accounts",
       "fields": [
         {"key": "number", "label": "Account number", "kind": "text", "required": true, "unique": true},
         {"key": "kind", "label": "Kind", "kind": "choice", "required": true, "choices": [
           {"key": "current", "label": "Current"}, {"key": "savings", "label": "Savings"}, {"key": "credit_card", "label": "Credit card"},
           {"key": "mortgage", "label": "Mortgage"}, {"key": "investment", "label": "Investment"}]},
         {"key": "balance", "label": "Balance", "kind": "money"},
         {"key": "opened_on", "label": "Opened on", "kind": "date"},
         {"key": "status", "label": "Status", "kind": "choice", "required": true, "default": "active", "choices": [
           {"key": "active", "label": "Active"}, {"key": "dormant", "label": "Dormant"}, {"key": "closed", "label": "Closed"}]}]},
      {"key": "product_holding", "label": "Product held", "plural_label": "Products held",
       "fields": [
         {"key": "product", "label": "Product", "kind": "choice", "required": true, "choices": [
           {"key": "current_account", "label": "Current account"}, {"key": "savings", "label": "Savings"},
           {"key": "credit_card", "label": "Credit card"}, {"key": "personal_loan", "label": "Personal loan"},
           {"key": "mortgage", "label": "Mortgage"}, {"key": "fund", "label": "Investment fund"}, {"key": "insurance", "label": "Insurance"}]},
         {"key": "account", "label": "Account", "kind": "reference", "target": "record:account"},
         {"key": "since", "label": "Since", "kind": "date"}]},
      {"key": "loan_application", "label": "Loan application", "plural_label": "Loan applications",
       "fields": [
         {"key": "amount", "label": "Amount", "kind": "money", "required": true},
         {"key": "purpose", "label": "Purpose", "kind": "choice", "required": true, "choices": [
           {"key": "home", "label": "Home"}, {"key": "car", "label": "Car"}, {"key": "education", "label": "Education"},
           {"key": "business", "label": "Business"}, {"key": "personal", "label": "Personal"}]},
         {"key": "term_months", "label": "Term (months)", "kind": "number", "required": true, "validation": "value >= 1 && value <= 480"},
         {"key": "channel", "label": "Applied through", "kind": "choice", "choices": [
           {"key": "branch", "label": "Branch"}, {"key": "web", "label": "Web"}, {"key": "app", "label": "Mobile app"}, {"key": "phone", "label": "Phone"}]},
         {"key": "documents_received", "label": "Documents received", "kind": "boolean", "default": false},
         {"key": "decision_note", "label": "Decision note", "kind": "long_text"}],
       "stages": [
         {"key": "applied", "label": "Applied", "probability": 10},
         {"key": "documents", "label": "Documents", "probability": 25},
         {"key": "underwriting", "label": "Underwriting", "probability": 50},
         {"key": "approved", "label": "Approved", "probability": 90, "required_fields": ["decision_note"]},
         {"key": "declined", "label": "Declined", "outcome": "lost", "required_fields": ["decision_note"]},
         {"key": "disbursed", "label": "Disbursed", "outcome": "won"}],
       "automations": [
         {"key": "underwriting_to_finance", "label": "Underwriting is finance's", "on": "stage", "stage": "underwriting",
          "handoff": {"kind": "other", "from": "sales", "to": "finance", "reason": "Underwrite this loan application", "sla_minutes": 960}}]}
    ]
    """#)

    /// Bookings of hotels, flights and activities, changed or cancelled from any channel, in itineraries
    /// whose dates, total and count follow their bookings.
    public static let travel = RecordTemplate(name: "travel", label: "Travel",
                                              summary: "Hotel, flight and activity bookings with their changes, in itineraries.",
                                              requires: [], definitions: #"""
    [
      {"key": "booking", "label": "Booking", "plural_label": "Bookings",
       "fields": [
         {"key": "kind", "label": "Kind", "kind": "choice", "required": true, "choices": [
           {"key": "hotel", "label": "Hotel"}, {"key": "flight", "label": "Flight"}, {"key": "activity", "label": "Activity"}]},
         {"key": "reference", "label": "Booking reference", "kind": "text", "required": true, "unique": true},
         {"key": "starts_at", "label": "Starts", "kind": "datetime", "required": true},
         {"key": "ends_at", "label": "Ends", "kind": "datetime"},
         {"key": "destination", "label": "Destination", "kind": "text"},
         {"key": "price", "label": "Price", "kind": "money"},
         {"key": "travellers", "label": "Travellers", "kind": "number", "default": 1, "validation": "value >= 1"},
         {"key": "channel", "label": "Booked through", "kind": "choice", "choices": [
           {"key": "web", "label": "Web"}, {"key": "app", "label": "Mobile app"}, {"key": "phone", "label": "Phone"},
           {"key": "agency", "label": "Agency"}, {"key": "email", "label": "Email"}]},
         {"key": "change_note", "label": "Last change", "kind": "long_text"},
         {"key": "itinerary", "label": "Itinerary", "kind": "reference", "target": "record:itinerary"}],
       "stages": [
         {"key": "requested", "label": "Requested", "probability": 40},
         {"key": "confirmed", "label": "Confirmed", "probability": 90},
         {"key": "changed", "label": "Changed", "probability": 85, "required_fields": ["change_note"]},
         {"key": "completed", "label": "Completed", "outcome": "won"},
         {"key": "cancelled", "label": "Cancelled", "outcome": "lost"}]},
      {"key": "itinerary", "label": "Itinerary", "plural_label": "Itineraries",
       "description": "A trip: its first and last moments, price and bookings follow the bookings that name it (cancelled ones left out).",
       "fields": [
         {"key": "name", "label": "Name", "kind": "text", "required": true},
         {"key": "starts_at", "label": "Starts", "kind": "datetime",
          "rollup": {"from": "booking", "via": "itinerary", "function": "min", "field": "starts_at", "when": "record.stage != 'cancelled'"}},
         {"key": "ends_at", "label": "Ends", "kind": "datetime",
          "rollup": {"from": "booking", "via": "itinerary", "function": "max", "field": "ends_at", "when": "record.stage != 'cancelled'"}},
         {"key": "total", "label": "Total", "kind": "money",
          "rollup": {"from": "booking", "via": "itinerary", "function": "sum", "field": "price", "when": "record.stage != 'cancelled'"}},
         {"key": "bookings", "label": "Bookings", "kind": "number",
          "rollup": {"from": "booking", "via": "itinerary", "function": "count", "when": "record.stage != 'cancelled'"}}]}
    ]
    """#)
}
