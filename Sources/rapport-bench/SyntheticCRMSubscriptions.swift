import RapportCore

/// Webhook subscriptions and events shaped like a CRM's, for `rapport-bench filters` (the default
/// `--mix crm`): most integrations select a type family and one value, as queues and webhooks do.
///
/// Subscriptions: 30 % a type family only (exact type or `rapport.<entity>.` prefix); 65 % a type
/// or family plus a value: a channel (of 8), a department (of 6), a customer tier (of 4), a
/// customer as the subject (of 10,000) or an owner (of 200), a quarter of the channel ones with a
/// second data test; 5 % that no index can key (`not`, a type suffix alone, CEL comparing `data`
/// without an equality). Events use `SyntheticSubscriptions`' type mix, with records that carry
/// those fields (interactions and conversations a channel and department, customers a tier and
/// owner, deals an owner) and the customer as subject.
struct SyntheticCRMSubscriptions {
    var random: SeededRandom

    static let channels = (1...8).map { "chn_\($0)" }
    static let departments = (1...6).map { "dep_\($0)" }
    static let tiers = ["vip", "gold", "standard", "trial"]
    static let customers = 10_000
    static let users = 200
    /// Entities whose events concern one customer (their subject is the customer's id).
    static let customerEntities: Set<String> = ["customer", "interaction", "conversation", "deal", "task"]

    private mutating func pick<T>(_ values: [T]) -> T {
        values[Int(random.next() % UInt64(values.count))]
    }

    private mutating func percent() -> Int {
        Int(random.next() % 100)
    }

    private mutating func customer() -> String {
        "cus_\(random.next() % UInt64(Self.customers))"
    }

    private mutating func user() -> String {
        "usr_\(random.next() % UInt64(Self.users) + 1)"
    }

    /// A CEL test on the type: one type of `entity` (given changes) or the entity's whole family.
    private mutating func celType(_ entity: String, _ changes: [String]) -> String {
        percent() < 50 ? "type == \"rapport.\(entity).\(pick(changes))\"" : "type.startsWith(\"rapport.\(entity).\")"
    }

    /// One subscription filter, as the API would receive it (`filters` of a subscription).
    mutating func filter() -> JSONValue {
        let roll = percent()
        switch roll {
        case 0..<30:
            if percent() < 60 { return ["exact": ["type": .string(pick(SyntheticSubscriptions.types))]] }
            return ["prefix": ["type": .string("rapport.\(pick(SyntheticSubscriptions.entities).name).")]]
        case 30..<50:
            let entity = pick(["interaction", "conversation"])
            let type = celType(entity, entity == "interaction" ? ["created", "updated"] : ["opened", "assigned", "closed"])
            var text = "\(type) && data.\(entity).channel_id == \"\(pick(Self.channels))\""
            if percent() < 25 { text += " && data.\(entity).direction == \"inbound\"" }
            return ["cel": .string(text)]
        case 50..<65:
            let entity = pick(["interaction", "conversation"])
            let type = celType(entity, entity == "interaction" ? ["created", "updated"] : ["opened", "assigned", "closed"])
            return ["cel": .string("\(type) && data.\(entity).department_id == \"\(pick(Self.departments))\"")]
        case 65..<75:
            let tiers = percent() < 70 ? "== \"\(pick(Self.tiers))\"" : "in [\"\(pick(Self.tiers))\", \"\(pick(Self.tiers))\"]"
            return ["cel": .string("\(celType("customer", ["created", "updated"])) && data.customer.attributes.tier \(tiers)")]
        case 75..<85:
            if percent() < 50 {
                return ["exact": ["type": .string("rapport.\(pick(["customer", "interaction", "deal"])).\(pick(["created", "updated"]))"),
                                  "subject": .string(customer())]]
            }
            return [["prefix": ["type": .string("rapport.\(pick(["customer", "interaction", "conversation", "deal"])).")]],
                    ["exact": ["subject": .string(customer())]]]
        case 85..<95:
            let entity = pick(["customer", "deal"])
            return ["cel": .string("\(celType(entity, ["created", "updated"])) && data.\(entity).owner_id == \"\(user())\"")]
        default:
            switch percent() % 3 {
            case 0: return ["not": ["exact": ["type": .string(pick(SyntheticSubscriptions.types))]]]
            case 1: return ["suffix": ["type": .string("." + pick(["created", "deleted", "updated", "completed"]))]]
            default: return ["cel": .string(pick(["data.deal.amount > \(pick([1_000, 10_000, 50_000]))",
                                                 "\"lifecycle_stage\" in data.changed_fields",
                                                 "data.interaction.body.contains(\"refund\")"]))]
            }
        }
    }

    /// One event, its type drawn as in `SyntheticSubscriptions`, its data carrying the fields above.
    mutating func event(sequence: Int64) -> Event {
        var types = SyntheticSubscriptions(random: random)
        let type = types.eventType()
        random = types.random
        let entity = String(type.split(separator: ".")[1])
        let customerID = customer()
        var record: JSONObject = ["id": .string("\(entity)_\(sequence)")]
        switch entity {
        case "interaction", "conversation":
            record["customer_id"] = .string(customerID)
            record["channel_id"] = .string(pick(Self.channels))
            record["department_id"] = .string(pick(Self.departments))
            record["direction"] = .string(pick(["inbound", "outbound"]))
            record["kind"] = .string(pick(SyntheticSubscriptions.kinds))
            record["body"] = "Hello, I would like to know where my order is."
        case "customer":
            record["id"] = .string(customerID)
            record["name"] = "Ada Lovelace"
            record["lifecycle_stage"] = "customer"
            record["owner_id"] = .string(user())
            record["attributes"] = ["tier": .string(pick(Self.tiers)), "region": "emea"]
        case "deal":
            record["customer_id"] = .string(customerID)
            record["owner_id"] = .string(user())
            record["amount"] = .integer(Int64(random.next() % 100_000))
            record["stage"] = "proposal"
        default:
            record["name"] = "Example"
        }
        var data = JSONObject()
        data["change"] = .string(String(type.split(separator: ".")[2]))
        data[entity] = .object(record)
        data["changed_fields"] = entity == "customer" ? .array([.string(pick(["name", "emails", "lifecycle_stage", "attributes"]))]) : []
        data["actor"] = ["type": .string(pick(["user", "api_key", "system"])), "id": .string(user())]
        let subject = Self.customerEntities.contains(entity) ? customerID : "\(entity)_\(sequence)"
        return Event(sequence: sequence, id: "evt_\(sequence)", type: type, subject: subject,
                     time: Timestamp(microseconds: 1_795_316_400_000_000 + sequence * 1_000), data: .object(data))
    }
}
