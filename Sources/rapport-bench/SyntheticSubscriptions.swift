import RapportCore

/// Webhook subscriptions and events for `rapport-bench filters --mix broad`, the first mix measured:
/// many filters select a type alone, so hundreds match every event.
///
/// Subscriptions: about half name one event type exactly, a quarter a type prefix (`rapport.deal.`),
/// a fifth are CEL with a type conjunct and a test on `data` (interaction kind, customer tier,
/// changed fields, deal amount, channel), and the rest have no key on the type at all (`not`,
/// a `suffix`, or CEL on `data` alone). Events follow a mix where interactions and customer
/// updates dominate, with data built like the store's (`EventDraft.change`).
struct SyntheticSubscriptions {
    var random: SeededRandom

    static let entities: [(name: String, changes: [String])] = [
        ("customer", ["created", "updated", "deleted", "merged", "absorbed", "unmerged", "restored"]),
        ("interaction", ["created", "updated", "deleted"]),
        ("conversation", ["opened", "assigned", "closed", "reopened"]),
        ("deal", ["created", "updated", "won", "lost", "stage_changed"]),
        ("department", ["created", "updated", "deleted"]),
        ("channel", ["created", "updated", "deleted"]),
        ("user", ["created", "updated", "deactivated"]),
        ("api_key", ["created", "revoked"]),
        ("duplicate", ["detected", "resolved", "dismissed"]),
        ("process", ["started", "completed", "failed"]),
        ("task", ["created", "completed"]),
        ("match_model", ["trained"]),
        ("settings", ["updated"]),
    ]
    static let types = entities.flatMap { entity in entity.changes.map { "rapport.\(entity.name).\($0)" } }
    static let channels = (1...20).map { "chn_\($0)" }
    static let kinds = InteractionKind.allCases.map(\.rawValue)
    static let tiers = ["vip", "gold", "standard", "trial"]

    private mutating func pick<T>(_ values: [T]) -> T {
        values[Int(random.next() % UInt64(values.count))]
    }

    private mutating func percent() -> Int {
        Int(random.next() % 100)
    }

    /// One subscription filter, as the API would receive it (`filters` of a subscription).
    mutating func filter() -> JSONValue {
        let roll = percent()
        let type = pick(Self.types)
        switch roll {
        case 0..<45:
            return ["exact": ["type": .string(type)]]
        case 45..<50:
            return [["exact": ["type": .string(type)]], ["prefix": ["subject": "cus_0"]]]
        case 50..<75:
            let prefix = percent() < 4 ? "rapport." : "rapport.\(pick(Self.entities).name)."
            return ["prefix": ["type": .string(prefix)]]
        case 75..<95:
            return ["cel": .string(celWithType(type))]
        default:
            switch percent() {
            case 0..<40: return ["not": ["exact": ["type": .string(type)]]]
            case 40..<80: return ["suffix": ["type": .string("." + pick(["created", "deleted", "updated", "completed"]))]]
            default: return ["cel": .string("data.channel_id == \"\(pick(Self.channels))\"")]
            }
        }
    }

    /// A CEL filter with a conjunct on the type, testing data that events of that entity carry.
    private mutating func celWithType(_ type: String) -> String {
        let entity = type.split(separator: ".")[1]
        switch (entity, percent() % 3) {
        case ("interaction", 0):
            return "type == \"\(type)\" && data.interaction.kind in [\"\(pick(Self.kinds))\", \"\(pick(Self.kinds))\"]"
        case ("interaction", 1):
            return "type == \"\(type)\" && data.interaction.direction == \"inbound\" && data.channel_id == \"\(pick(Self.channels))\""
        case ("customer", 0):
            return "type.startsWith(\"rapport.customer.\") && data.customer.attributes.tier == \"\(pick(Self.tiers))\""
        case ("customer", 1):
            return "type == \"\(type)\" && \"lifecycle_stage\" in data.changed_fields"
        case ("deal", _):
            return "type in [\"rapport.deal.won\", \"rapport.deal.lost\"] && data.deal.amount > \(pick([1_000, 10_000, 50_000]))"
        default:
            return "type == \"\(type)\" && data.actor.type == \"\(pick(["user", "api_key", "system"]))\""
        }
    }

    /// An event type from a mix where interactions and customer changes dominate.
    mutating func eventType() -> String {
        switch percent() {
        case 0..<35: return "rapport.interaction.created"
        case 35..<55: return "rapport.customer.updated"
        case 55..<65: return "rapport.customer.created"
        case 65..<75: return "rapport.conversation.\(pick(["opened", "assigned", "closed", "reopened"]))"
        case 75..<83: return "rapport.deal.\(pick(["created", "updated", "won", "lost", "stage_changed"]))"
        default: return pick(Self.types)
        }
    }

    /// One event, its type from `eventType()`.
    mutating func event(sequence: Int64) -> Event {
        let type = eventType()
        let entity = String(type.split(separator: ".")[1])
        let customerID = "cus_\(random.next() % 100_000)"
        var data = JSONObject()
        data["change"] = .string(String(type.split(separator: ".")[2]))
        data[entity] = record(entity, customerID: customerID, sequence: sequence)
        data["changed_fields"] = entity == "customer" ? .array([pick(["name", "emails", "lifecycle_stage", "attributes"])].map(JSONValue.string)) : []
        data["actor"] = ["type": .string(pick(["user", "api_key", "system"])), "id": "usr_1"]
        data["channel_id"] = .string(pick(Self.channels))
        return Event(sequence: sequence, id: "evt_\(sequence)", type: type, subject: customerID,
                     time: Timestamp(microseconds: 1_795_316_400_000_000 + sequence * 1_000), data: .object(data))
    }

    private mutating func record(_ entity: String, customerID: String, sequence: Int64) -> JSONValue {
        switch entity {
        case "customer":
            return ["id": .string(customerID), "kind": "person", "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
                    "emails": ["ada@example.com"], "phones": ["+442071234567"], "identities": ["email:ada@example.com"],
                    "addresses": [], "company": "Analytical Engines Ltd", "lifecycle_stage": "customer", "owner_id": "usr_1",
                    "attributes": ["tier": .string(pick(Self.tiers)), "region": "emea"], "version": 3,
                    "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-22T09:00:00Z"]
        case "interaction":
            return ["id": .string("int_\(sequence)"), "customer_id": .string(customerID), "channel_id": .string(pick(Self.channels)),
                    "direction": .string(pick(["inbound", "outbound"])), "kind": .string(pick(Self.kinds)), "subject": .null,
                    "body": "Hello, I would like to know where my order is.", "metadata": [:],
                    "occurred_at": "2026-11-22T09:00:00Z", "external_id": .null, "created_at": "2026-11-22T09:00:00Z"]
        case "deal":
            return ["id": .string("deal_\(sequence)"), "customer_id": .string(customerID), "stage": "proposal",
                    "amount": .integer(Int64(random.next() % 100_000)), "currency": "EUR"]
        default:
            return ["id": .string("\(entity)_\(sequence)"), "name": "Example"]
        }
    }
}
