import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportStore
import RapportSync

extension Bench {
    /// `rapport import` of a large customer CSV with identity resolution: a first file stores some
    /// customers, then the measured file names them again (with a change: updated, not duplicated),
    /// repeats some of its own rows (found within the file) and brings new customers.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure importing a customer CSV with identity resolution (what rapport import does).")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "Rows of the measured file.")
        var rows = 1_000_000

        @Option(help: "Customers stored before (by an unmeasured first import); the measured file's first rows are theirs.")
        var existing = 100_000

        @Option(help: "Every n-th row of the measured file repeats the customer of an earlier row.")
        var repeatEvery = 50

        @Option(help: "Rows per transaction.")
        var batchRows = 2_000

        /// The issue's goal for 1,000,000 customers on SQLite, in seconds.
        static let goalSeconds = 60.0
        /// Twenty's API import, the issue's anchor: about 6,000 records a minute.
        static let twentyPerSecond = 6_000.0 / 60

        func run() async throws {
            guard rows > 0, existing >= 0, existing <= rows, repeatEvery > 1 else {
                throw ValidationError("--rows must be positive, --existing at most --rows, --repeat-every above 1")
            }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-import-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: scratch + "/data")
            let seedFile = scratch + "/existing.csv", mainFile = scratch + "/customers.csv"
            let writing = ContinuousClock.now
            let (bytes, expectedNew) = try Self.writeFiles(seed: seedFile, main: mainFile, rows: rows, existing: existing, repeatEvery: repeatEvery)
            print("wrote \(rows) rows (\(bytes / 1_048_576) MiB) in \(Self.seconds(ContinuousClock.now - writing)) s")
            var quiet = Logger(label: "rapport.bench.import")
            quiet.logLevel = .error
            let logger = quiet
            let (batchRows, existing) = (self.batchRows, self.existing)
            try await Store.withRunning(location, logger: logger) { store in
                let runner = ImportRunner(store: store, normalizer: try IdentityNormalizer(defaultRegion: "US"), logger: logger,
                                          batchRows: batchRows)
                if existing > 0 {
                    let (job, elapsed) = try await Self.importFile(seedFile, store: store, runner: runner)
                    print("stored \(job.progress.created) customers first in \(Self.seconds(elapsed)) s")
                }
                let (job, elapsed) = try await Self.importFile(mainFile, store: store, runner: runner)
                let seconds = elapsed / .seconds(1)
                let rate = Double(job.progress.rowsRead) / seconds
                let stored = try await store.read { database in
                    try await database.raw("SELECT COUNT(*) AS n FROM customers WHERE deleted_at IS NULL").first()?.decode(column: "n", as: Int.self) ?? 0
                }
                print("""
                    imported \(job.progress.rowsRead) rows in \(String(format: "%.1f", seconds)) s: \(Int(rate)) rows/s \
                    (created \(job.progress.created), updated \(job.progress.updated), unchanged \(job.progress.unchanged), \
                    failed \(job.progress.failed)); customers stored: \(stored)
                    """)
                guard job.status == .completed, job.progress.created == Int64(expectedNew), stored == existing + expectedNew else {
                    throw ValidationError("the import did not do what the file says: expected \(expectedNew) new customers")
                }
                let projected = Double(1_000_000) / rate
                print("""
                    1,000,000 rows at this rate: \(String(format: "%.1f", projected)) s \
                    (\(projected <= Self.goalSeconds ? "meets" : "misses") the \(Int(Self.goalSeconds)) s goal); \
                    \(String(format: "%.0f", rate / Self.twentyPerSecond))× Twenty's ~6,000 records/minute
                    """)
            }
        }

        static func importFile(_ path: String, store: Store, runner: ImportRunner) async throws -> (ImportJob, Duration) {
            let file = LocalImportFile(path: path)
            let spec = ImportSpec(target: .customers, format: .csv, fileName: (path as NSString).lastPathComponent)
            let (size, fingerprint) = (try file.size, try await file.fingerprint())
            let job = try await store.write { tx in
                try await store.imports.createJob(spec, source: .local, fileBytes: size, fingerprint: fingerprint, actor: .system, in: tx)
            }
            let started = ContinuousClock.now
            let done = try await runner.runLocal(job.id, file: file)
            return (done, ContinuousClock.now - started)
        }

        /// The two files; returns the measured file's size and how many new customers it brings.
        static func writeFiles(seed: String, main: String, rows: Int, existing: Int, repeatEvery: Int) throws -> (Int, Int) {
            let header = "given_name,family_name,emails,phones,company,attributes.tier,address.city\n"
            let tiers = ["bronze", "silver", "gold", "platinum"]
            let cities = ["Lisbon", "Paris", "Berlin", "\"São Paulo\"", "Shanghai", "Austin"]
            func line(_ person: Int, tier: String) -> String {
                let phone = String(format: "+1 415 %03d %04d", 200 + person / 10_000 % 800, person % 10_000)
                return "Given\(person),Family\(person % 9_973),person\(person)@example.com,\(phone),Company \(person % 5_000),\(tier),\(cities[person % cities.count])\n"
            }
            var text = header
            for person in 0..<existing { text += line(person, tier: tiers[person % tiers.count]) }
            try text.write(toFile: seed, atomically: false, encoding: .utf8)
            guard let out = OutputStream(toFileAtPath: main, append: false) else { throw ValidationError("cannot write \(main)") }
            out.open()
            defer { out.close() }
            var chunk = header
            var bytes = 0
            var people = 0
            func flush() {
                let data = Array(chunk.utf8)
                bytes += data.count
                _ = data.withUnsafeBufferPointer { out.write($0.baseAddress!, maxLength: $0.count) }
                chunk = ""
            }
            for row in 0..<rows {
                if row > 0, row % repeatEvery == 0 {
                    // Someone met again in the same file: an earlier row's customer.
                    chunk += line(row / 2, tier: tiers[(row / 2 + 1) % tiers.count])
                } else {
                    // The first rows are the stored customers, their tier changed; then new people.
                    chunk += line(people, tier: tiers[(people + 1) % tiers.count])
                    people += 1
                }
                if chunk.utf8.count > 1 << 20 { flush() }
            }
            flush()
            return (bytes, people - existing)
        }

        static func seconds(_ duration: Duration) -> String { String(format: "%.1f", duration / .seconds(1)) }
    }
}
