import Foundation
import RapportCore
import RapportStore

/// The batches of a job's file, read and set out one after another: the rows of the next batch
/// are checked, and the customers they would create prepared, while the writer stores the one
/// before (reading and checking a row costs about as much as storing it, and the two run on
/// different cores).
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
    private let customers: any CustomerStore
    private let actor: Actor
    private let spec: ImportSpec
    private let batchRows: Int
    private let readSize: Int
    private var reader: ImportLines
    private var columns: [String]
    private var rowsRead: Int64
    private var atEnd = false

    init(job: ImportJob, file: any ImportFile, plan: ImportPlan, customers: any CustomerStore, batchRows: Int, readSize: Int) {
        self.file = file
        self.plan = plan
        self.customers = customers
        self.actor = job.actor
        self.spec = job.spec
        self.batchRows = batchRows
        self.readSize = readSize
        reader = ImportLines(format: job.spec.format, offset: job.progress.bytesRead)
        columns = job.columns
        rowsRead = job.progress.rowsRead
    }

    /// Lines set out, checked and prepared in as many parts as there are cores, at once: while the
    /// writer waits for its disk, the other parts use its core.
    private func setOut(_ lines: [ImportLines.Line], firstRow: Int64) async -> PlannedRows {
        let (plan, columns, mapping, customers, actor) = (self.plan, self.columns, spec.mapping, self.customers, self.actor)
        let partSize = max(100, (lines.count + Self.parts - 1) / Self.parts)
        guard lines.count > partSize else {
            return plan.rows(lines, firstRow: firstRow, columns: columns, mapping: mapping).preparing(with: customers, actor: actor)
        }
        return await withTaskGroup(of: (Int, PlannedRows).self) { group in
            for (part, start) in stride(from: 0, to: lines.count, by: partSize).enumerated() {
                let slice = Array(lines[start..<min(start + partSize, lines.count)])
                group.addTask {
                    (part, plan.rows(slice, firstRow: firstRow + Int64(start), columns: columns, mapping: mapping)
                        .preparing(with: customers, actor: actor))
                }
            }
            var parts: [(Int, PlannedRows)] = []
            for await part in group { parts.append(part) }
            parts.sort { $0.0 < $1.0 }
            return parts.dropFirst().reduce(parts[0].1) { $0.followed(by: $1.1) }
        }
    }

    /// Parts a batch is set out in at once.
    private static let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)

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
            let rows = await setOut(lines, firstRow: first)
            return Batch(rows: rows, count: lines.count,
                         bytesRead: reader.offset, firstRow: first, columns: columns)
        }
    }
}

/// Batches read, checked and prepared ahead of the writer, `depth` at most, taken in file order:
/// a batch that is slow to check and one that is slow to store even out instead of leaving a
/// core idle while the other finishes.
final class ImportReadAhead: @unchecked Sendable {
    // Only the runner's task calls `next()` and `cancel()`, one at a time.
    private let batches: ImportBatches
    private let depth: Int
    private var pending: [Task<ImportBatches.Batch?, any Error>] = []

    init(_ batches: ImportBatches, depth: Int) {
        self.batches = batches
        self.depth = max(1, depth)
    }

    /// The next batch in file order, nil at the end.
    func next() async throws -> ImportBatches.Batch? {
        fill()
        let batch = try await pending.removeFirst().value
        fill()
        return batch
    }

    /// Stops reading ahead.
    func cancel() {
        for task in pending { task.cancel() }
        pending.removeAll()
    }

    private func fill() {
        let batches = self.batches
        while pending.count < depth {
            // Each read waits for the one before: `ImportBatches` reads its file in order.
            let previous = pending.last
            pending.append(Task {
                if let previous, try await previous.value == nil { return nil }
                try Task.checkCancellation()
                return try await batches.next()
            })
        }
    }
}
