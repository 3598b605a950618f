import RapportCore
import RapportServer
import RapportStore
import RapportTestSupport
import Testing

/// `rapport demo`: each scenario's story, loaded, is a console that is alive — customers reached
/// on several channels, conversations, records in every stage, consent, notes and handoffs.
@Suite("Demo stories")
struct DemoTests {
    @Test("each scenario's story loads, its customers on several channels with records in every stage",
          arguments: DemoStory.Scenario.allCases)
    func loads(scenario: DemoStory.Scenario) async throws {
        try await withApp(.sqlite) { api, _, store in
            let story = DemoStory.make(scenario, size: 24, now: store.records.now())
            let loader = DemoLoader(store: store, normalizer: try IdentityNormalizer(defaultRegion: "US"))
            let setting = try await loader.prepare(story)
            for person in story.customers { try await loader.load(person, setting: setting) }
            // Loading the setting again keeps what is there.
            _ = try await loader.prepare(story)

            let customers = try await api.get("/v1/customers?limit=100").items
            #expect(customers.count == 24, "every message found its customer by an identity; no one was created twice")
            #expect(customers.contains { $0["name"]?.stringValue?.unicodeScalars.contains { $0.value >= 0x4E00 } == true })
            let someone = try #require(customers.first?["id"]?.stringValue)
            let timeline = try await api.get("/v1/customers/\(someone)/timeline?limit=50").items
            let channels = Set(timeline.compactMap { $0["channel_id"]?.stringValue })
            #expect(channels.count >= 2, "\(timeline)")
            #expect(try await api.get("/v1/conversations?limit=10").items.isEmpty == false)
            #expect(try await api.get("/v1/notes?limit=5").items.isEmpty == false)
            let handoffs = try await api.get("/v1/handoffs?limit=100").items
            #expect(Set(handoffs.compactMap { $0["status"]?.stringValue }) == ["requested", "accepted"], "\(handoffs)")

            let (type, first, stages): (String, String, Set<String>) = switch scenario {
            case .ecommerce: ("cart", "open", ["open", "checked_out", "abandoned"])
            case .banking: ("loan_application", "applied", ["applied", "documents", "underwriting", "approved", "declined", "disbursed"])
            case .travel: ("booking", "requested", ["requested", "confirmed", "changed", "completed", "cancelled"])
            }
            let records = try await api.get("/v1/records/\(type)?limit=200").items
            #expect(Set(records.compactMap { $0["stage"]?.stringValue }) == stages, "\(records.count) \(type) records")
            let moved = try #require(records.first { $0["stage"]?.stringValue != first })
            let movedID = try #require(moved["id"]?.stringValue)
            let history = try await api.get("/v1/records/\(type)/\(movedID)/stages").items
            #expect(history.count >= 2, "a record walked through its stages has a history: \(history)")
            // What customers said about being contacted: yes on the sign-up form, taken back by some.
            let consents = try await api.get("/v1/records/consent?limit=200").items
            #expect(Set(consents.compactMap { $0["fields"]?["status"]?.stringValue }) == ["granted", "withdrawn"], "\(consents.count) consents")
            let unsubscribed = try #require(consents.first { $0["fields"]?["channel"] == "email" && $0["fields"]?["status"] == "withdrawn" })
            let standing = try await api.get("/v1/customers/\(unsubscribed["customer_id"]?.stringValue ?? "")/consent").json["data"]?.arrayValue
            let emailOffers = standing?.first { $0["channel"] == "email" && $0["purpose"] == "marketing" }
            #expect(emailOffers?["status"] == "withdrawn" && emailOffers?["sends"] == false, "\(String(describing: emailOffers))")
            if scenario == .travel {
                let trip = try #require(try await api.get("/v1/records/itinerary?limit=1").items.first)
                #expect(trip["fields"]?["bookings"]?.intValue ?? 0 >= 1, "\(trip)")
            }
        }
    }
}
