import HTTPTypes
import RapportCore
import RapportServer
import RapportTestSupport
import Testing

/// Each route takes the query parameters its operation in openapi.json declares and refuses any
/// other, as bodies refuse unknown fields (`openAPIMatchesRoutes` holds the lists against the document).
@Suite("HTTP: unknown query parameters")
struct QueryParameterTests {
    @Test("an unknown query parameter is refused 400 naming it; declared ones and attribute filters pass")
    func unknownQueryParameters() async throws {
        try await withApp { api, _ in
            expectProblem(try await api.get("/v1/interactions?cxshdnw=%C3%A4%0E"), .badRequest, field: "cxshdnw")
            expectProblem(try await api.get("/v1/channels?limit=5"), .badRequest, field: "limit")
            expectProblem(try await api.get("/v1/customers?limt=5"), .badRequest, field: "limt")
            expectProblem(try await api.get("/v1/customers?attribute.=x"), .badRequest, field: "attribute.")
            #expect(try await api.get("/v1/interactions?limit=5").status == .ok)
            #expect(try await api.get("/v1/customers?attribute.tier=gold&limit=5").status == .ok)
            #expect(try await api.get("/health/live?probe=1", auth: .none).status == .badRequest)
            // Credentials are checked first, as for every other refusal.
            #expect(try await api.get("/v1/interactions?cxshdnw=1", auth: .none).status == .unauthorized)
        }
    }

    @Test("a malformed after is refused also beside Last-Event-ID")
    func afterBesideLastEventID() async throws {
        try await withApp { api, _ in
            let reply = try await api.get("/v1/events/stream?after=-1", headers: [HTTPField.Name("Last-Event-ID")!: "0"])
            expectProblem(reply, .badRequest, field: "after")
        }
    }
}
