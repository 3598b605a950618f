import RapportCore

/// The batches of a job's file, read and set out one after another: the rows of the next batch
/// are checked while the writer stores the one before (reading and checking a row costs about as
/// much as storing it, and the two run on different cores).
final class ImportBatches: @unchecked Sendable {
    // One `next()` runs at a time (the runner awaits each before asking again), so plain state is safe.
    struct Batch: Sendable {
        let rows: PlannedRows
        let count: Int
        /// Where the row after the batch starts.
        let bytesRead: Int64
        let firstRow: Int64
        let columns: [String]
    }

    private let file: any ImportFile
    private let plan: ImportPlan
    private let spec: ImportSpec
    private let batchRows: Int
    private let readSize: Int
    private var reader: ImportLines
    private var columns: [String]
    private var rowsRead: Int64
    private var atEnd = false

    init(job: ImportJob, file: any ImportFile, plan: ImportPlan, batchRows: Int, readSize: Int) {
        self.file = file
        self.plan = plan
        self.spec = job.spec
        self.batchRows = batchRows
        self.readSize = readSize
        reader = ImportLines(format: job.spec.format, offset: job.progress.bytesRead)
        columns = job.columns
        rowsRead = job.progress.rowsRead
    }

    /// The next batch, nil at the end of the file; `ImportPlan.Refusal` when a CSV file has no header.
    func next() async throws -> Batch? {
        while true {
            var lines: [ImportLines.Line] = []
            while lines.count < batchRows {
                if let line = reader.next(atEnd: atEnd) {
                    lines.append(line)
                } else if atEnd {
                    break
                } else {
                    let bytes = try await file.bytes(from: reader.offset + Int64(reader.pendingBytes), maxBytes: readSize)
                    if bytes.isEmpty { atEnd = true } else { reader.append(bytes) }
                }
            }
            if spec.format == .csv, columns.isEmpty, !lines.isEmpty {
                guard case .cells(let header) = lines.removeFirst(), header.contains(where: { !$0.isEmpty }) else {
                    throw ImportPlan.Refusal(reason: "the first line is not a CSV header naming the columns")
                }
                columns = header.map { $0.trimmingWhitespace() }
            }
            if lines.isEmpty {
                if atEnd { return nil }
                continue
            }
            let first = rowsRead + 1
            rowsRead += Int64(lines.count)
            return Batch(rows: plan.rows(lines, firstRow: first, columns: columns, mapping: spec.mapping), count: lines.count,
                         bytesRead: reader.offset, firstRow: first, columns: columns)
        }
    }
}
