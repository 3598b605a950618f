import RapportCore
import SQLKit

/// Finance's side of a won deal: the deal's lines become an invoice with its lines, in one
/// transaction, through the record types the sales and finance templates define (`deal`,
/// `deal_line`, `invoice`, `invoice_line`) — their fields' rules hold as for any record.
public protocol InvoicingStore: Sendable {
    /// 404 for an unknown deal; 409 when the types are missing, the deal is not won, has no lines,
    /// mixes currencies, or already has an invoice that is not void (naming it);
    /// `rapport.record.created` for the invoice and each line.
    func invoiceDeal(_ dealID: String, _ request: DealInvoiceRequest, context: FieldValueContext, actor: Actor,
                     in tx: WriteTransaction) async throws -> (invoice: BusinessRecord, lines: [BusinessRecord])
}

/// The SQL implementation of `InvoicingStore`, on SQLite or PostgreSQL.
public struct SQLInvoicingStore: InvoicingStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func invoiceDeal(_ dealID: String, _ request: DealInvoiceRequest, context: FieldValueContext, actor: Actor,
                            in tx: WriteTransaction) async throws -> (invoice: BusinessRecord, lines: [BusinessRecord]) {
        let types = try await neededTypes(in: tx)
        guard let deal = try await records(of: types.deal, where: "id = \(bind: dealID)", in: tx).first else {
            throw StoreError.notFound("deal", dealID)
        }
        let invoices = try await records(of: types.invoice, referencing: "deal", dealID, in: tx)
        if let standing = invoices.first(where: { $0.stage.flatMap(types.invoice.stage)?.outcome != .lost }) {
            throw StoreError(.conflict, "deal \(dealID) is already invoiced by \(standing.id); void that invoice to invoice the deal again",
                             extra: ["invoice_id": .string(standing.id)])
        }
        let lines = try await records(of: types.dealLine, referencing: "deal", dealID, in: tx)
        let issuedOn = request.issuedOn ?? CalendarDate(tx.now())
        var number = request.number ?? ""
        if request.number == nil { number = try await nextNumber(year: issuedOn.year, type: types.invoice, in: tx) }
        let made: DealInvoice
        do {
            made = try DealInvoice.make(deal: deal, dealType: types.deal, lines: lines,
                                        terms: .init(number: number, issuedOn: issuedOn, paymentDays: request.paymentDays))
        } catch {
            throw StoreError(.conflict, error.description)
        }
        let invoiceDraft = try draft(made.fields, customerID: deal.customerID, type: types.invoice, context: context)
        let invoice = try await store.records.createRecord(of: types.invoice, invoiceDraft, actor: actor, in: tx)
        var created: [BusinessRecord] = []
        for var fields in made.lines {
            fields["invoice"] = .string(invoice.id)
            let lineDraft = try draft(fields, customerID: deal.customerID, type: types.invoiceLine, context: context)
            created.append(try await store.records.createRecord(of: types.invoiceLine, lineDraft, actor: actor, in: tx))
        }
        return (invoice, created)
    }

    private func neededTypes(in tx: WriteTransaction) async throws -> (deal: RecordType, dealLine: RecordType, invoice: RecordType, invoiceLine: RecordType) {
        var found: [RecordType] = []
        for key in ["deal", "deal_line", "invoice", "invoice_line"] {
            guard let type = try await store.recordTypes.recordType(key, in: tx) else {
                throw StoreError(.conflict, "record type \(key) does not exist; install the finance template (with sales) to invoice deals")
            }
            found.append(type)
        }
        return (found[0], found[1], found[2], found[3])
    }

    /// A record as a request would give it, its values checked against the type; a value the type
    /// refuses (a changed definition) names the type and field.
    private func draft(_ fields: JSONObject, customerID: String?, type: RecordType, context: FieldValueContext) throws -> RecordDraft {
        var body: JSONObject = ["fields": .object(fields)]
        if let customerID { body["customer_id"] = .string(customerID) }
        do {
            return try RecordDraft.read(.object(body), type: type, context: context)
        } catch {
            throw StoreError(.conflict, "the \(type.key) type refuses what the deal gives it: "
                             + error.issues.map(\.description).joined(separator: "; "), field: error.issues.first.map { "\(type.key).\($0.field)" })
        }
    }

    private func records(of type: RecordType, where condition: SQLQueryString, in tx: WriteTransaction) async throws -> [BusinessRecord] {
        try await tx.rows("""
            \(RecordRows.columns(flavor)) WHERE type_key = \(bind: type.key) AND deleted_at IS NULL AND \(condition) ORDER BY created_at, id
            """).map(RecordRows.decode)
    }

    /// The type's records whose reference `field` names `id`, oldest first.
    private func records(of type: RecordType, referencing field: String, _ id: String, in tx: WriteTransaction) async throws -> [BusinessRecord] {
        let condition: ListCondition
        do {
            condition = try ListFilter.translate("fields.\(field) == \(JSONValue.string(id).jsonString)", schema: type.filterSchema)
        } catch {
            throw StoreError(.conflict, "record type \(type.key) has no reference field \(field), which invoicing a deal needs")
        }
        return try await records(of: type, where: SQLListCondition(flavor: flavor).sql(condition), in: tx)
    }

    private func nextNumber(year: Int, type: RecordType, in tx: WriteTransaction) async throws -> String {
        let prefix = JSONValue.string("INV-\(year)-").jsonString.dropLast()
        let taken = try await tx.rows("""
            SELECT value FROM record_unique_values WHERE type_key = \(bind: type.key) AND field_key = 'number'
            AND value LIKE \(bind: prefix + "%")
            """).compactMap { (try? JSONParser.parse(try $0.string("value")))?.stringValue }
        return DealInvoice.nextNumber(year: year, taken: taken)
    }
}
