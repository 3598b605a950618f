import RapportCore
import RapportStore

/// How a job's lines become rows: the layout of its target, checked once before the first row.
struct ImportPlan: Sendable {
    let layout: any ImportLayout
    let recordType: RecordType?
    let context: FieldValueContext

    /// Why a job cannot run at all.
    struct Refusal: Error {
        let reason: String
    }

    /// The plan; `Refusal` when the job cannot run (its record type is gone, its mapping names
    /// fields that do not exist).
    static func make(for job: ImportJob, recordTypes: any RecordTypeStore, normalizer: IdentityNormalizer) async throws -> ImportPlan {
        let context = FieldValueContext(normalizer: normalizer)
        var plan = ImportPlan(layout: CustomerImportLayout(), recordType: nil, context: context)
        if let key = job.spec.target.recordTypeKey {
            guard let type = try await recordTypes.recordType(key) else { throw Refusal(reason: "there is no record type \(key)") }
            plan = ImportPlan(layout: RecordImportLayout(type: type), recordType: type, context: context)
        }
        let unknown = plan.layout.unknownTargets(in: job.spec.mapping)
        guard unknown.isEmpty else {
            throw Refusal(reason: "the mapping names fields that do not exist: "
                          + unknown.map { "\($0.column) → \($0.target)" }.joined(separator: ", "))
        }
        return plan
    }

    /// The lines set out and checked, numbered from `firstRow`.
    func rows(_ lines: [ImportLines.Line], firstRow: Int64, columns: [String], mapping: ImportMapping) -> PlannedRows {
        var rows: [ImportRow] = []
        var refused: [Int64: [ImportRowIssue]] = [:]
        for (index, line) in lines.enumerated() {
            let number = firstRow + Int64(index)
            switch line {
            case .cells(let cells):
                if cells.count > columns.count {
                    refused[number] = [ImportRowIssue(row: number, column: "", reason: "has \(cells.count) cells, the header \(columns.count)")]
                }
                rows.append(layout.row(number, cells: cells, columns: columns, mapping: mapping))
            case .object(let object):
                rows.append(layout.row(number, object: object, mapping: mapping))
            case .malformed(let reason):
                refused[number] = [ImportRowIssue(row: number, column: "", reason: "the line \(reason)")]
                rows.append(ImportRow(number: number))
            }
        }
        if let type = recordType {
            return .records(type, context, rows.map { row in
                refused[row.number].map { .refused($0) } ?? RecordImportRow.read(row, type: type, context: context)
            })
        }
        let checked: [CheckedRow<CustomerImportRow>] = rows.map { row in
            refused[row.number].map { .refused($0) } ?? CustomerImportRow.read(row, normalizer: context.normalizer)
        }
        return .customers(checked, Array(repeating: nil, count: checked.count))
    }
}

/// A batch of rows ready for the store, each checked or refused with its issues; a customer row
/// may come with the new customer it would create, prepared off the writer (same positions).
enum PlannedRows: Sendable {
    case customers([CheckedRow<CustomerImportRow>], [PreparedCustomer?])
    case records(RecordType, FieldValueContext, [CheckedRow<RecordImportRow>])

    /// The identities the batch looks up, read for the whole batch in a few statements.
    var prefetch: WritePrefetch {
        switch self {
        case .customers(let rows, _):
            WritePrefetch(identities: rows.flatMap { $0.ready?.identities ?? [] })
        case .records(_, _, let rows):
            WritePrefetch(identities: rows.compactMap { $0.ready?.customerIdentity })
        }
    }

    /// The rows of `self` followed by those of `next` (a batch set out in parts).
    func followed(by next: PlannedRows) -> PlannedRows {
        switch (self, next) {
        case (.customers(let rows, let prepared), .customers(let more, let morePrepared)):
            .customers(rows + more, prepared + morePrepared)
        case (.records(let type, let context, let rows), .records(_, _, let more)):
            .records(type, context, rows + more)
        default:
            preconditionFailure("the parts of one batch have one target")
        }
    }

    /// Leaves a row out, with the issue it failed on.
    mutating func exclude(_ issue: ImportRowIssue) {
        switch self {
        case .customers(var rows, let prepared):
            if let index = rows.firstIndex(where: { $0.ready?.row.number == issue.row }) { rows[index] = .refused([issue]) }
            self = .customers(rows, prepared)
        case .records(let type, let context, var rows):
            if let index = rows.firstIndex(where: { $0.ready?.row.number == issue.row }) { rows[index] = .refused([issue]) }
            self = .records(type, context, rows)
        }
    }

    /// The batch with the new customer each ready customer row would create made ready now, off
    /// the writer (ids, versions, rows and events: the writer's largest costs per new customer).
    func preparing(with customers: any CustomerStore, actor: Actor) -> PlannedRows {
        guard case .customers(let rows, _) = self else { return self }
        return .customers(rows, rows.map { row in
            guard case .ready(let row) = row, case .ready(let new) = row.newCustomer() else { return nil }
            return customers.prepare(new, actor: actor, channelID: nil)
        })
    }

    func apply(with imports: any ImportStore, actor: Actor, in tx: WriteTransaction) async throws -> ImportBatchOutcome {
        switch self {
        case .customers(let rows, let prepared): try await imports.importCustomers(rows, prepared: prepared, actor: actor, in: tx)
        case .records(let type, let context, let rows): try await imports.importRecords(rows, type: type, context: context, actor: actor, in: tx)
        }
    }
}
