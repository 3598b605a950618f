import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/deals/{id}/invoice`: finance turns a won deal into an invoice with the deal's lines, in one
/// write (the sales and finance templates' `deal`, `deal_line`, `invoice` and `invoice_line` types).
struct InvoicingController<Invoicing: InvoicingStore> {
    let invoicing: Invoicing
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "deals/:id/invoice", invoice)
    }

    @Sendable func invoice(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeRecords)
        let dealID = try context.parameters.require("id")
        let (body, bytes) = try await request.optionalJSONBody(limit: services.configuration.maxBodyBytes)
        let asked = try DealInvoiceRequest.read(body ?? .object([:]))
        let (invoicing, fieldContext) = (self.invoicing, FieldValueContext(normalizer: services.normalizer))
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let (invoice, lines) = try await invoicing.invoiceDeal(dealID, asked, context: fieldContext, actor: principal.actor, in: tx)
            let json: JSONValue = ["invoice": invoice.json, "lines": .array(lines.map(\.json))]
            return StoredResponse(status: 201, body: json.serialized(), etag: invoice.etag, location: "/v1/records/invoice/\(invoice.id)")
        }
    }
}
