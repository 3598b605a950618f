import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportStore
import RapportSync

/// `rapport import contacts.csv`: imports a CSV or JSON Lines file of customers (or, with
/// `--type`, of a record type's records) straight into the store, with a progress bar. Run again
/// after an interruption, it goes on from the first row not committed.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import customers or records from a CSV or JSON Lines file.",
        discussion: """
            Customers are found by their identities (emails, phones, identities): a row about a customer \
            who exists updates that customer, any other becomes a new one. Columns go to the field of the \
            same name unless mapped (--map "E-mail=emails", --ignore Notes). Rows with problems are \
            reported by row and column; the others are imported. Customer columns: \
            \(CustomerImportLayout.targets.joined(separator: ", ")).
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The file: .csv, or .jsonl / .ndjson for JSON Lines.")
    var file: String

    @Option(help: "Import records of this record type instead of customers.")
    var type: String?

    @Option(help: "csv or jsonl (default: from the file's extension).")
    var format: String?

    @Option(help: "A column and the field it goes to, as Column=field (repeatable).")
    var map: [String] = []

    @Option(help: "A column to leave out (repeatable).")
    var ignore: [String] = []

    @Flag(help: "Check every row and count what would change, writing nothing.")
    var dryRun = false

    @Flag(help: "Start again from the first row even when an earlier run of this file did not finish.")
    var restart = false

    @Option(help: "Rows per transaction.")
    var batchRows = 2_000

    @Option(help: "The phone region for phone numbers written without a country code (as for serve).")
    var defaultPhoneRegion: String = "US"

    @Option(help: "How many problems to print at the end (all are stored with the job).")
    var showIssues = 20

    func spec() throws -> ImportSpec {
        let lowered = file.lowercased()
        let formatName = format ?? (lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") ? "jsonl" : "csv")
        guard let format = ImportFormat(rawValue: formatName) else { throw ValidationError("--format must be csv or jsonl") }
        var mapping = ImportMapping()
        for pair in map {
            guard let equals = pair.lastIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--map \(pair): write it as Column=field")
            }
            let target = String(pair[pair.index(after: equals)...])
            mapping.targets[String(pair[..<equals])] = .some(target.isEmpty ? nil : target)
        }
        for column in ignore { mapping.targets[column] = .some(nil) }
        return ImportSpec(target: type.map(ImportTarget.records) ?? .customers, format: format, mapping: mapping, dryRun: dryRun,
                          fileName: (file as NSString).lastPathComponent)
    }

    func run() async throws {
        guard batchRows > 0, batchRows <= 10_000 else { throw ValidationError("--batch-rows must be between 1 and 10000") }
        let spec = try spec()
        let source = LocalImportFile(path: file)
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let normalizer = try IdentityNormalizer(defaultRegion: defaultPhoneRegion)
        let logger = try storeOptions.bootstrapLogging()
        let store = try await Store.open(try storeOptions.location(), logger: logger)
        let (job, issues) = try await Bootstrap.withStoreRunning(store) { () async throws -> (ImportJob, Page<ImportRowIssue>) in
            try await store.migrate()
            let job = try await importFile(spec, source: source, store: store, normalizer: normalizer, logger: logger)
            return (job, try await store.imports.issues(of: job.id, limit: max(showIssues, 1), cursor: nil))
        }
        report(job, issues: issues)
        if job.status == .failed { throw ExitCode.failure }
    }

    private func importFile(_ spec: ImportSpec, source: LocalImportFile, store: Store, normalizer: IdentityNormalizer,
                            logger: Logger) async throws -> ImportJob {
        let (size, fingerprint) = (try source.size, try await source.fingerprint())
        if let key = spec.target.recordTypeKey, try await store.recordTypes.recordType(key) == nil {
            throw ValidationError("there is no record type \(key)")
        }
        let imports = store.imports
        var job: ImportJob
        if !restart, let unfinished = try await imports.unfinishedLocalJob(fingerprint: fingerprint, target: spec.target),
           unfinished.spec == spec {
            job = unfinished
            FileHandle.standardError.write(Data("going on with \(job.id) after row \(job.progress.rowsRead)\n".utf8))
        } else {
            job = try await store.write { tx in
                try await imports.createJob(spec, source: .local, fileBytes: size, fingerprint: fingerprint, actor: .system, in: tx)
            }
        }
        let runner = ImportRunner(store: store, normalizer: normalizer, logger: logger, batchRows: batchRows)
        let bar = ProgressBar(spec.dryRun ? "checking" : "importing", total: Int(max(size, 1)))
        let started = ContinuousClock.now
        job = try await runner.runLocal(job.id, file: source) { bar.update(Int($0.progress.bytesRead)) }
        bar.finish()
        let elapsed = ContinuousClock.now - started
        let rows = job.progress.rowsRead
        let rate = elapsed > .zero ? Double(rows) / (elapsed / .seconds(1)) : 0
        FileHandle.standardError.write(Data("\(rows) rows in \(ProgressBar.seconds(elapsed)) (\(Int(rate)) rows/s)\n".utf8))
        return job
    }

    private func report(_ job: ImportJob, issues: Page<ImportRowIssue>) {
        let progress = job.progress
        let verb = job.spec.dryRun ? "would be " : ""
        print("""
            \(job.id): \(job.status.rawValue)\(job.failure.map { " — \($0)" } ?? "")
              rows read \(progress.rowsRead); \(verb)created \(progress.created), \(verb)updated \(progress.updated), \
            unchanged \(progress.unchanged), failed \(progress.failed)
            """)
        if job.spec.dryRun { print("  (dry run: nothing was written)") }
        guard showIssues > 0, !issues.items.isEmpty else { return }
        print("problems (row, column: reason):")
        for issue in issues.items.prefix(showIssues) {
            print("  \(issue.row), \(issue.column.isEmpty ? "-" : issue.column): \(issue.reason)")
        }
        if progress.failed > Int64(showIssues) || issues.nextCursor != nil {
            print("  … the whole report: GET /v1/imports/\(job.id)/issues")
        }
    }
}
