import ArgumentParser
import Foundation
import RapportCore
import RapportStore

/// `rapport dedupe`: checks the whole store for duplicates at once and fills the review queue
/// (merging the surest pairs when asked), with a progress bar and a summary.
struct Dedupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Find duplicate customers in the whole store.")

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Estimate a new match model first (EM over all customers, refined by decided pairs).")
    var train = false

    @Flag(help: "Merge pairs at or above the auto-merge threshold instead of only proposing them.")
    var autoMerge = false

    @Option(help: "Review threshold as a match probability (default: the matching settings).")
    var threshold: Double?

    @Flag(help: "Only report what would be proposed; write nothing (no migration, no stored model, no candidates).")
    var dryRun = false

    func run() async throws {
        let logger = try storeOptions.bootstrapLogging()
        let location = try storeOptions.location()
        // Opening a SQLite directory creates the database; a dry run must not.
        if dryRun, case .sqlite(let directory) = location,
           !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("rapport.sqlite")) {
            throw ValidationError("no Rapport database in \(directory); a dry run creates nothing")
        }
        let store = try await Store.open(location, logger: logger)
        try await Bootstrap.withStoreRunning(store) {
            if dryRun {
                guard await store.schemaIsCurrent() else {
                    throw ValidationError("the database schema is not up to date; run rapport migrate first (a dry run writes nothing)")
                }
            } else {
                try await store.migrate()
            }
            try await dedupe(store)
        }
    }

    private func dedupe(_ store: Store) async throws {
        let started = ContinuousClock.now
        var settings = try await store.duplicates.matchingSettings()
        if let threshold {
            guard threshold > 0, threshold < 1 else { throw ValidationError("--threshold must be between 0 and 1") }
            settings.reviewThreshold = threshold
            settings.autoMergeThreshold = max(settings.autoMergeThreshold, threshold)
        }
        let profile = settings.profile
        let total = try await store.duplicates.standingCustomerCount()
        let loading = ProgressBar("loading customers", total: total)
        let index = try await store.duplicates.matchIndex(profile: profile, pageSize: 10_000) { loading.update($0) }
        loading.finish()
        let loaded = ContinuousClock.now

        var model = MatchModel(defaultsFor: profile)
        var modelNote = "prior weights (no model trained yet)"
        if !train, let stored = try await store.duplicates.latestMatchModel(), stored.model.problems(with: profile).isEmpty {
            model = stored.model
            modelNote = "model version \(stored.version)"
        } else if train || index.count >= 500 {
            FileHandle.standardError.write(Data("training the match model (EM)…\n".utf8))
            if dryRun {
                model = try await Self.trainWithoutSaving(store, index: index, profile: profile)
                modelNote = "model trained now, not saved (dry run)"
            } else {
                let stored = try await store.duplicates.trainMatchModel(index: index, profile: profile, actor: .system)
                model = stored.model
                modelNote = "model version \(stored.version), trained now"
            }
        }
        let trained = ContinuousClock.now
        let finder = try DuplicateFinder(profile: profile, model: model)
        FileHandle.standardError.write(Data("scoring candidate pairs…\n".utf8))
        let pairs = finder.duplicatePairs(in: index)
        let scored = ContinuousClock.now

        var created = 0
        var merged = 0
        var skipped = 0
        if !dryRun {
            let recording = ProgressBar("recording candidates", total: pairs.count)
            for start in stride(from: 0, to: pairs.count, by: 500) {
                let batch = pairs[start..<min(start + 500, pairs.count)].map { ProposedDuplicate($0, finder: finder, index: index) }
                let new = try await store.write { tx in try await store.duplicates.proposeDuplicates(batch, actor: .system, in: tx) }
                created += new.count
                if autoMerge || settings.autoMerge {
                    for candidate in new where candidate.probability >= settings.autoMergeThreshold {
                        do {
                            _ = try await store.write { tx in
                                try await store.duplicates.decideDuplicate(candidate.id, accept: true, survivorID: nil, overrides: nil, actor: .system, in: tx)
                            }
                            merged += 1
                        } catch is StoreError {
                            skipped += 1
                        }
                    }
                }
                recording.update(min(start + 500, pairs.count))
            }
            recording.finish()
        }
        let groups = DuplicateClusters.clusters(of: pairs)
        // Every write above is behind `!dryRun`; the summary is all a dry run leaves.
        print("""
            rapport dedupe: \(index.count) customers, \(modelNote)
              pairs at or above \(settings.reviewThreshold): \(pairs.count) in \(groups.count) groups
              new candidates in the review queue: \(dryRun ? "none (dry run)" : String(created))\
            \(autoMerge || settings.autoMerge ? "\n  merged automatically (≥ \(settings.autoMergeThreshold)): \(merged), skipped: \(skipped)" : "")
              time: load \(ProgressBar.seconds(loaded - started)), model \(ProgressBar.seconds(trained - loaded)), \
            scoring \(ProgressBar.seconds(scored - trained)), total \(ProgressBar.seconds(ContinuousClock.now - started))
            """)
    }

    /// What `trainMatchModel` computes (EM over the index, refined by the decided pairs of the
    /// review queue), kept in memory: a dry run uses it for scoring but stores no model version.
    static func trainWithoutSaving(_ store: Store, index: MatchIndex, profile: MatchProfile) async throws -> MatchModel {
        let labelled = try await store.duplicates.labelledDuplicatePairs()
        func vectors(_ explanations: [JSONValue]) -> [ComparisonVector] {
            explanations.compactMap { explanation in
                guard let grades = explanation.objectValue?["grades"]?.arrayValue, grades.count == profile.fields.count else { return nil }
                return ComparisonVector(grades: grades.map { $0.intValue.map(Int.init) })
            }
        }
        return MatchModel.estimate(from: index).refined(confirmed: vectors(labelled.confirmed), rejected: vectors(labelled.rejected))
    }
}
