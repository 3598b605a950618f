import HTTPTypes
import RapportCore
import RapportStore
import RapportServer
import RapportTestSupport
import Testing

@Suite("HTTP: health, metrics and the OpenAPI document")
struct OperationsTests {
    @Test("health checks answer 200", arguments: Backend.available)
    func health(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let live = try await api.get("/health/live", auth: .none)
            #expect(live.status == .ok)
            #expect(live.json["status"]?.stringValue == "ok")
            let ready = try await api.get("/health/ready", auth: .none)
            #expect(ready.status == .ok)
            #expect(ready.json["status"]?.stringValue == "ok")
            #expect(ready.json["database"]?.stringValue == "ok")
            #expect(ready.headers[HTTPField.Name("X-Request-ID")!]?.isEmpty == false)
        }
    }

    @Test("metrics show request counts and the event log head")
    func metrics() async throws {
        try await withApp { api, _ in
            _ = try await api.createCustomer(["name": "Ana"])
            _ = try await api.createCustomer(["name": "Bo"])
            _ = try await api.get("/v1/customers")
            let head = try await api.eventHead()
            #expect(head == 3)

            let reply = try await api.get("/metrics", auth: .none)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("text/plain") == true)
            let lines = reply.text.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("rapport_http_requests_total{") }, "\(reply.text.prefix(2000))")
            let created = lines.first { $0.hasPrefix("rapport_http_requests_total{") && $0.contains("method=\"POST\"")
                && $0.contains("status=\"201\"") }
            #expect(created?.split(separator: " ").last.flatMap { Double($0) } == 2, "\(created ?? "no POST 201 line")")
            let headLine = lines.first { $0.hasPrefix("rapport_event_log_head") }
            #expect(headLine?.split(separator: " ").last.flatMap { Double($0) } == Double(head), "\(headLine ?? "no head line")")
            #expect(reply.text.contains("rapport_http_request_duration_seconds"))
        }
    }

    @Test("a streamed response's latency runs to the end of its body")
    func streamedLatency() async throws {
        let clock = ManualClock()
        try await withApp(latencyClock: clock) { api, _, store in
            let head = try await api.eventHead()
            // The stream ends with the first event after `head`, which is written after the latency
            // clock has moved half a second on from the stream's beginning (its first lines arrived).
            // The histogram must count that half second, not the moment the stream's head was ready.
            let streamed = try await api.openStream("/v1/events/stream?after=\(head)&limit=1")
            try await streamed.waitFor(": rapport events after \(head)")
            clock.advance(by: .milliseconds(500))
            _ = try await store.write { tx in
                try await store.customers.createCustomer(NewCustomer(name: "Ana"), actor: .system, channelID: nil, in: tx)
            }
            _ = try await streamed.body()
            #expect(streamed.status == .ok)
            // The server records the latency once it has written the body's end, which the client may
            // see first: wait for the record.
            let sum = try await eventually("the stream's latency in /metrics") {
                try await api.get("/metrics", auth: .none).text.split(separator: "\n")
                    .first { $0.hasPrefix("rapport_http_request_duration_seconds_sum{") && $0.contains("events/stream") }
            }
            #expect(sum.split(separator: " ").last.flatMap { Double($0) } == 0.5, "\(sum)")
        }
    }

    @Test("a method a path does not have is 405 with Allow; a path that does not exist is 404")
    func methodNotAllowed() async throws {
        try await withApp { api, _ in
            let listed = try await api.request(.delete, "/v1/customers")
            #expect(listed.status == .methodNotAllowed, "\(listed.text)")
            #expect(listed.headers[.allow] == "GET, POST")
            #expect(listed.headers[.contentType] == "application/problem+json")
            let lookup = try await api.request(.post, "/v1/customers/lookup")
            #expect(lookup.status == .methodNotAllowed)
            #expect(lookup.headers[.allow] == "GET")
            let one = try await api.request(.put, "/v1/customers/cus_unknown")
            #expect(one.headers[.allow] == "GET, PATCH, DELETE")
            #expect(try await api.request(.get, "/v1/nothing-here").status == .notFound)
        }
    }

    @Test("/openapi.json documents exactly the registered routes")
    func openAPIMatchesRoutes() async throws {
        let catalog = RouteCatalog()
        try await withApp(catalog: catalog) { api, _ in
            let reply = try await api.get("/openapi.json", auth: .none)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            let document = try JSONParser.parse(reply.bytes)
            #expect(document["openapi"]?.stringValue?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"]?.objectValue, "the document has no paths")

            let registered = Set(catalog.entries.map { "\($0.method) \($0.path)" })
            #expect(registered.count >= 30, "the catalog was filled: \(registered.count) routes")
            #expect(registered.contains("get /v1/customers/{id}"))
            #expect(registered.contains("get /openapi.json"))

            let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
            var documented: Set<String> = []
            for (path, item) in paths {
                for method in item.objectValue?.keys ?? [] where operationKeys.contains(method) {
                    documented.insert("\(method) \(path)")
                }
            }
            let undocumented = registered.subtracting(documented).sorted()
            let unregistered = documented.subtracting(registered).sorted()
            #expect(undocumented.isEmpty, "routes missing from openapi.json: \(undocumented)")
            #expect(unregistered.isEmpty, "openapi.json documents routes the server lacks: \(unregistered)")

            // Each route accepts exactly the query parameters its operation declares (others are refused).
            let shared = document["components"]?["parameters"]?.objectValue ?? JSONObject()
            var mismatches: [String] = []
            for entry in catalog.entries {
                guard let item = paths[entry.path], let operation = item[entry.method] else { continue }
                let parameters = (item["parameters"]?.arrayValue ?? []) + (operation["parameters"]?.arrayValue ?? [])
                var declared: Set<String> = []
                for parameter in parameters {
                    let resolved = parameter["$ref"]?.stringValue.flatMap { shared[String($0.split(separator: "/").last ?? "")] } ?? parameter
                    if resolved["in"]?.stringValue == "query", let name = resolved["name"]?.stringValue { declared.insert(name) }
                }
                if declared != entry.query {
                    mismatches.append("\(entry.method) \(entry.path): server \(entry.query.sorted()), document \(declared.sorted())")
                }
            }
            #expect(mismatches.isEmpty, "query parameters differ: \(mismatches)")
        }
    }
}
