import Testing
@testable import RapportCore

@Suite("Expressions over events")
struct ExpressionEventTests {
    static let example = #"type == "rapport.interaction.created" && data.channel in ["email", "chat"] && data.customer.attributes.tier == "vip""#

    static func event(
        type: String = "rapport.interaction.created", channel: JSONValue? = "email", tier: JSONValue? = "vip",
        sequence: Int64 = 42, subject: String = "cus_123"
    ) -> Event {
        var attributes = JSONObject()
        if let tier { attributes["tier"] = tier }
        var data: JSONObject = ["customer": ["id": "cus_123", "attributes": .object(attributes)]]
        if let channel { data["channel"] = channel }
        return Event(
            sequence: sequence, id: "evt_\(sequence)", type: type, subject: subject,
            time: Timestamp(microseconds: 1_795_316_400_000_000), data: .object(data)
        )
    }

    @Test("the example expression matches a VIP email interaction")
    func exampleMatches() throws {
        let filter = try CompiledExpression(filter: Self.example)
        #expect(filter.resultType == .bool)
        #expect(filter.matches(Self.event()))
        #expect(filter.matches(Self.event(channel: "chat")))
    }

    @Test("the example expression rejects other events", arguments: [
        event(type: "rapport.interaction.updated"),
        event(channel: "phone"),
        event(tier: "standard"),
        event(channel: nil),
        event(tier: nil),
        event(channel: 3),
    ] as [Event])
    func exampleRejects(event: Event) throws {
        let filter = try CompiledExpression(filter: Self.example)
        #expect(!filter.matches(event))
    }

    @Test("missing data is an error result, counted, and no match")
    func missingDataCounted() throws {
        let filter = try CompiledExpression(filter: Self.example)
        var errors = 0
        #expect(!filter.matches(Self.event(channel: nil), errors: &errors))
        #expect(errors == 1)
        #expect(!filter.matches(Self.event(type: "rapport.customer.updated", channel: nil), errors: &errors))
        #expect(errors == 1, "a false left side decides the && before the missing key is reached")
        #expect(filter.matches(Self.event(), errors: &errors))
        #expect(errors == 1)
        #expect(filter.evaluate(Self.event(channel: nil)) == .failure(.noSuchKey("channel")))
    }

    @Test("event attributes are exposed with their declared types")
    func attributes() throws {
        let event = Self.event(sequence: 7, subject: "cus_9")
        func value(_ source: String) throws -> JSONValue? {
            try CompiledExpression(source, environment: .events).evaluate(event).get()
        }
        #expect(try value("sequence") == 7)
        #expect(try value("id") == "evt_7")
        #expect(try value("source") == .string(Event.source))
        #expect(try value("subject") == "cus_9")
        #expect(try value("time") == .string(event.time.rfc3339))
        #expect(try value("datacontenttype") == "application/json")
        #expect(try value("sequence > 5 && subject.startsWith('cus_')") == true)
        #expect(try value("has(data.customer.attributes.tier) && !has(data.customer.email)") == true)
        #expect(try value("data.customer.attributes.exists(k, k == 'tier')") == true)
    }

    @Test("100k evaluations stay correct")
    func manyEvaluations() throws {
        let filter = try CompiledExpression(filter: Self.example)
        let channels: [JSONValue] = ["email", "chat", "phone", "sms"]
        let tiers: [JSONValue] = ["vip", "standard"]
        let events = (0..<16).map { index in
            Self.event(
                type: index % 4 == 3 ? "rapport.customer.updated" : "rapport.interaction.created",
                channel: channels[index % channels.count], tier: tiers[(index / 4) % tiers.count], sequence: Int64(index)
            )
        }
        let expected = events.map { event -> Bool in
            guard event.type == "rapport.interaction.created",
                  case .object(let data) = event.data,
                  let channel = data["channel"]?.stringValue,
                  let tier = data["customer"]?.objectValue?["attributes"]?.objectValue?["tier"]?.stringValue else { return false }
            return ["email", "chat"].contains(channel) && tier == "vip"
        }
        #expect(expected.contains(true) && expected.contains(false))
        var matched = 0
        var mismatches = 0
        for round in 0..<100_000 {
            let index = round % events.count
            let result = filter.matches(events[index])
            if result { matched += 1 }
            if result != expected[index] { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(matched == expected.filter { $0 }.count * (100_000 / events.count))
    }
}
