import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: live event stream (SSE)")
struct EventStreamTests {
    /// The messages of a Server-Sent Events body: id, event name and data of each.
    static func messages(_ text: String) -> [(id: String, event: String, data: JSONValue)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var id: String?
            var event: String?
            var data: String?
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            guard let id, let event, let data, let json = try? JSONParser.parse(data) else { return nil }
            return (id, event, json)
        }
    }

    @Test("replays from a position, then follows new commits live, as CloudEvents", arguments: Backend.available)
    func replayThenLive(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            _ = try await api.createCustomer(["name": "Ana"])
            let head = try await api.eventHead()
            // A second connection holds the stream while this one writes.
            let stream = try await api.openStream("/v1/events/stream?after=\(head - 1)&limit=3&heartbeat=1")
            // The replayed event, then a heartbeat: the stream has caught up and follows the log live.
            try await stream.waitFor("id: \(head)\n")
            try await stream.waitFor(": heartbeat")
            _ = try await api.createCustomer(["name": "Bea"])
            _ = try await api.createCustomer(["name": "Caio"])
            let (status, type, text) = (stream.status, stream.contentType, try await stream.body())
            #expect(status == .ok)
            #expect(type == "text/event-stream")
            #expect(text.contains(": heartbeat"))
            let messages = Self.messages(text)
            #expect(messages.map(\.id) == [String(head), String(head + 1), String(head + 2)])
            #expect(messages.map(\.event) == Array(repeating: "rapport.customer.created", count: 3))
            #expect(messages.map { $0.data["specversion"]?.stringValue } == ["1.0", "1.0", "1.0"])
            #expect(messages.compactMap { $0.data["data"]?["customer"]?["name"]?.stringValue } == ["Ana", "Bea", "Caio"])
        }
    }

    @Test("Last-Event-ID resumes after that event; a reader sees only events it may read", arguments: Backend.available)
    func resumeAndVisibility(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let head = try await api.eventHead()
            let viewer = try await api.createKey(role: "viewer")
            _ = try await api.createCustomer(["name": "Ana"])
            _ = try await api.createCustomer(["name": "Bea"])
            let resumed = try await api.get("/v1/events/stream?limit=1", headers: [.lastEventID: String(head + 2)])
            #expect(Self.messages(resumed.text).map(\.id) == [String(head + 3)])
            // The viewer may not see API key events: its stream skips the key's creation.
            let seen = try await api.get("/v1/events/stream?after=\(head)&limit=2", auth: .bearer(viewer.secret))
            #expect(Self.messages(seen.text).map(\.event) == ["rapport.customer.created", "rapport.customer.created"])
            let listed = try await api.get("/v1/events?after=\(head)", auth: .bearer(viewer.secret))
            #expect(listed.items.compactMap { $0["type"]?.stringValue } == ["rapport.customer.created", "rapport.customer.created"])
            // A CEL filter selects events by attributes and data.
            let filter = encodeQuery(#"type == "rapport.customer.created" && data.customer.name.startsWith("B")"#)
            let filtered = try await api.get("/v1/events/stream?after=\(head)&limit=1&filter=\(filter)")
            #expect(Self.messages(filtered.text).compactMap { $0.data["data"]?["customer"]?["name"]?.stringValue } == ["Bea"])
            let listedFiltered = try await api.get("/v1/events?after=\(head)&filter=\(filter)")
            #expect(listedFiltered.items.count == 1)
            // As forms and URL libraries encode a query: `+` for each space.
            let formEncoded = "type+%3D%3D+%22rapport.customer.created%22+%26%26+data.customer.name.startsWith(%22B%22)"
            #expect(try await api.get("/v1/events?after=\(head)&filter=\(formEncoded)").items.count == 1)
            let typo = try await api.get("/v1/events/stream?filter=\(encodeQuery("tpye == \"x\""))")
            expectProblem(typo, .badRequest, field: "filter")
            #expect(typo.json["detail"]?.stringValue?.contains("did you mean 'type'") == true, "\(typo.text)")
            expectProblem(try await api.get("/v1/events/stream", headers: [.lastEventID: "abc"]), .badRequest, field: "Last-Event-ID")
            for malformed in ["", "+5", "-0", "12345678901234567890"] {
                expectProblem(try await api.get("/v1/events/stream", headers: [.lastEventID: malformed]), .badRequest, field: "Last-Event-ID")
            }
            // Beyond the largest sequence an int64 query parameter is refused (the header's form allows it: nothing after).
            expectProblem(try await api.get("/v1/events?cursor=9223372036854775808"), .badRequest, field: "cursor")
            expectProblem(try await api.get("/v1/events/stream?after=9223372036854775808"), .badRequest, field: "after")
            expectProblem(try await api.get("/v1/events/stream?heartbeat=0"), .badRequest, field: "heartbeat")
        }
    }
}

@Suite("HTTP: consumers of the log")
struct ConsumerTests {
    @Test("the duplicate monitor reports its position and lag", arguments: Backend.available)
    func monitorPosition(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            _ = try await api.createCustomer(["name": "Ana"])
            let head = try await api.eventHead()
            let consumer: JSONValue = try await eventually("the duplicate monitor to report no lag") {
                let consumer = try await api.get("/v1/consumers").items.first { $0["name"]?.stringValue == "duplicate-monitor" }
                guard let consumer, consumer["lag"]?.intValue == 0 else { return nil }
                return consumer
            }
            #expect(consumer["position"]?.stringValue == String(head))
            #expect(consumer["lag"]?.intValue == 0)
            let metrics = try await api.get("/metrics", auth: .none)
            #expect(metrics.text.contains("rapport_consumer_lag_events{consumer=\"duplicate-monitor\"}"))
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
