import Hummingbird
import RapportCore
import RapportStore

/// `GET /v1/customers/{id}/consent`: where a customer stands on being contacted, per channel and
/// purpose — the last consent record on each and what a sender would do with it (the same
/// `ConsentLedger` decision every message to a customer goes through). Consent is recorded as
/// `consent` records (`POST /v1/records/consent`, the marketing template's type); `kept` says
/// whether that type exists (without it, every answer is "not asked").
struct ConsentController<Customers: CustomerStore, Types: RecordTypeStore> {
    let consent: any ConsentStore
    let customers: Customers
    let types: Types

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "customers/:id/consent", standings)
    }

    @Sendable func standings(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        try context.require(.readRecords)
        let asked = try context.parameters.require("id")
        guard let customer = try await customers.customer(asked) else { throw StoreError.notFound("customer", asked) }
        // Without the consent type nothing can be recorded, and the senders decide on no answers.
        let kept = try await types.recordType(ConsentLedger.recordType) != nil
        // An absorbed customer's records followed its survivor.
        let id = customer.mergedInto ?? customer.id
        let ledger = kept ? try await consent.ledger(of: id) : ConsentLedger([])
        return .json(ConsentStandingJSON.json(customerID: id, kept: kept, ledger.standings))
    }
}

/// The JSON of a customer's consent standings.
enum ConsentStandingJSON {
    static func json(customerID: String, kept: Bool, _ standings: [ConsentLedger.Standing]) -> JSONValue {
        .object([
            "customer_id": .string(customerID),
            "kept": .bool(kept),
            "data": .array(standings.map(json)),
        ])
    }

    static func json(_ standing: ConsentLedger.Standing) -> JSONValue {
        let status = standing.lastWord.map { $0.granted ? "granted" : "withdrawn" } ?? "not_given"
        var object: JSONObject = [
            "channel": .string(standing.channel),
            "purpose": .string(standing.purpose.rawValue),
            "status": .string(status),
            "given_at": standing.lastWord.map { .string($0.givenAt.rfc3339) } ?? .null,
            "record_id": standing.lastWord.map { .string($0.recordID) } ?? .null,
        ]
        switch standing.decision {
        case .allowed:
            object["sends"] = .bool(true)
            object["reason"] = .null
        case .refused(let why):
            object["sends"] = .bool(false)
            object["reason"] = .string(why)
        }
        return .object(object)
    }
}
