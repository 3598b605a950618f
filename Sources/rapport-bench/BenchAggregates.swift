import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportStore

extension Bench {
    /// Aggregates for the console's charts over many records, computed by the store as
    /// `GET /v1/aggregates` does: a pipeline by stage, a forecast by month of the close date, and
    /// deals by owner and stage — each read many times, its latency as percentiles.
    struct Aggregates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "aggregates",
            abstract: "Measure aggregates (pipeline by stage, forecast by month, by owner and stage) over many deals.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "Deals to store (the sales template's deal type).")
        var records = 100_000

        @Option(help: "Reads of each aggregate to measure (after 5 unmeasured ones).")
        var reads = 50

        /// What the issue asks of an aggregate, in milliseconds.
        static let goalP99 = 100.0

        func run() async throws {
            guard records > 0, reads > 0 else { throw ValidationError("--records and --reads must be positive") }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-aggregates-\(UUID().uuidString)").path
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: scratch)
            defer { if databaseURL == nil { try? FileManager.default.removeItem(atPath: scratch) } }
            var logger = Logger(label: "rapport.bench.aggregates")
            logger.logLevel = .error
            let (count, reads) = (records, self.reads)
            try await Store.withRunning(location, logger: logger) { store in
                let context = FieldValueContext(normalizer: try IdentityNormalizer(defaultRegion: "DE"))
                let drafts = try RecordTemplates.sales.drafts(context: context)
                _ = try await store.write { tx in try await store.recordTypes.install(drafts, actor: .system, in: tx) }
                guard let deal = try await store.recordTypes.recordType("deal") else { throw ValidationError("no deal type") }
                let seeding = ContinuousClock.now
                try await Self.seed(store, deal: deal, count: count, context: context)
                print("stored \(count) deals in \(String(format: "%.1f", (ContinuousClock.now - seeding) / .seconds(1))) s")
                let queries: [(String, AggregateQuery)] = [
                    ("pipeline by stage (count, sum of amount)",
                     try AggregateQuery.read(source: .records(deal), measures: "count,sum:fields.amount.amount", groupBy: "stage",
                                             bucket: nil, time: nil, filter: nil)),
                    ("forecast: open deals' amount by month of close date",
                     try AggregateQuery.read(source: .records(deal), measures: "sum:fields.amount.amount,count", groupBy: nil,
                                             bucket: "month", time: "fields.close_date", filter: #"stage != "won" && stage != "lost""#)),
                    ("deals by source and stage",
                     try AggregateQuery.read(source: .records(deal), measures: "count,avg:fields.amount.amount", groupBy: "fields.source,stage",
                                             bucket: nil, time: nil, filter: nil)),
                    ("won deals created per week",
                     try AggregateQuery.read(source: .records(deal), measures: "count", groupBy: nil, bucket: "week", time: "created_at",
                                             filter: #"stage == "won""#)),
                ]
                for (name, query) in queries {
                    for _ in 0..<5 { _ = try await store.reports.aggregate(query) }
                    var sample: [Double] = []
                    var rows = 0
                    for _ in 0..<reads {
                        let started = ContinuousClock.now
                        rows = try await store.reports.aggregate(query).count
                        sample.append((ContinuousClock.now - started) / .milliseconds(1))
                    }
                    let latency = LatencySample(milliseconds: sample)
                    let verdict = latency.p99 <= Self.goalP99 ? "meets" : "misses"
                    print("\(name): \(rows) rows, \(latency.text()) (\(verdict) the \(Int(Self.goalP99)) ms goal)")
                }
            }
        }

        /// Deals spread over the stages, sources and a year of close dates, written through the
        /// record store in transactions of 1,000.
        static func seed(_ store: Store, deal: RecordType, count: Int, context: FieldValueContext) async throws {
            let stages = deal.stages.map(\.key)
            let sources = ["web", "email", "phone", "chat", "store", "app", "referral", "event"]
            var generator = SystemRandomNumberGenerator()
            var made = 0
            while made < count {
                let batch = min(1_000, count - made)
                var drafts: [RecordDraft] = []
                for index in 0..<batch {
                    let number = made + index
                    let stage = stages[number % stages.count]
                    let month = 1 + Int.random(in: 0..<12, using: &generator)
                    let day = 1 + Int.random(in: 0..<28, using: &generator)
                    var fields: JSONObject = [
                        "title": .string("Deal \(number)"),
                        "amount": ["amount": .string("\(Int.random(in: 100...50_000, using: &generator)).00"), "currency": "EUR"],
                        "close_date": .string(String(format: "2027-%02d-%02d", month, day)),
                        "source": .string(sources[number % sources.count]),
                    ]
                    if stage == "lost" { fields["lost_reason"] = "Price" }
                    drafts.append(RecordDraft(fields: fields, stage: stage))
                }
                let written = drafts
                _ = try await store.write { tx in
                    for draft in written { _ = try await store.records.createRecord(of: deal, draft, actor: .system, in: tx) }
                }
                made += batch
            }
        }
    }
}
