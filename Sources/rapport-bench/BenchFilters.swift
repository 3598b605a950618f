import ArgumentParser
import Foundation
import RapportCore

extension Bench {
    /// Matching events against many webhook subscription filters on one thread: through
    /// `SubscriptionIndex` as the dispatcher does, and by evaluating every filter as the baseline.
    struct Filters: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure matching events against many subscription filters: the index against evaluating every filter.")

        @Option(help: "Subscriptions (filters) to match against.")
        var subscriptions = 10_000

        @Option(help: "Events to match through the index.")
        var events = 200_000

        @Option(help: "Events to match by evaluating every filter (the baseline) and to compare results on.")
        var bruteForceEvents = 2_000

        @Option(help: "Seed of the synthetic subscriptions and events.")
        var seed: UInt64 = 2026

        @Option(help: "Subscription mix: crm (a type family plus a value, as integrations subscribe) or broad (the first mix: many type-only filters).")
        var mix: Mix = .crm

        /// Which synthetic subscriptions and events to generate.
        enum Mix: String, ExpressibleByArgument, CaseIterable {
            /// `SyntheticCRMSubscriptions`.
            case crm
            /// `SyntheticSubscriptions`.
            case broad
        }

        /// One measured way of matching.
        struct Row {
            var method: String
            var events: Int
            var seconds: Double
            /// CPU time of the matching thread: what the rate would be on a core of its own.
            var cpuSeconds = 0.0
            var evaluated = 0
            var candidates = 0
            var hits = 0
            var matches = 0

            func line() -> String {
                let count = Double(events)
                return String(format: "| %@ | %d | %.3f | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f |", method, events, seconds, count / seconds, count / cpuSeconds,
                              Double(candidates) / count, Double(hits) / count, Double(evaluated) / count, Double(matches) / count)
            }
        }

        func run() throws {
            let (filters, stream) = try generate()
            let buildStart = ContinuousClock.now
            let index = SubscriptionIndex(filters.enumerated().map { (id: $0.offset, filter: $0.element) })
            let buildSeconds = (ContinuousClock.now - buildStart) / .seconds(1)
            print(String(format: "rapport-bench filters: mix %@, %d subscriptions (%d without a type key, %d with a value key), %d event types, seed %llu; index built in %.1f ms",
                         mix.rawValue, subscriptions, index.unindexedCount, index.valueKeyedCount, SyntheticSubscriptions.types.count, seed,
                         buildSeconds * 1_000))

            // The index, as the dispatcher uses it: one scratch that remembers per-type decisions.
            var scratch = SubscriptionIndex<Int>.Scratch()
            var found: [Int] = []
            var indexed = Row(method: "index", events: stream.count, seconds: 0)
            let start = ContinuousClock.now
            let cpuStart = CPUTime.thread()
            for event in stream {
                indexed.evaluated += index.matches(event, into: &found, scratch: &scratch)
                indexed.candidates += scratch.lastCandidateCount
                indexed.hits += scratch.lastValueHitCount
                indexed.matches += found.count
            }
            indexed.seconds = (ContinuousClock.now - start) / .seconds(1)
            indexed.cpuSeconds = CPUTime.thread() - cpuStart

            // The index without remembered plans: every event looks its type up and decides every candidate.
            let sample = Array(stream.prefix(bruteForceEvents))
            var cold = Row(method: "index, no per-type plans", events: sample.count, seconds: 0)
            let coldStart = ContinuousClock.now
            let coldCPUStart = CPUTime.thread()
            for event in sample {
                var fresh = SubscriptionIndex<Int>.Scratch()
                cold.evaluated += index.matches(event, into: &found, scratch: &fresh)
                cold.candidates += fresh.lastCandidateCount
                cold.hits += fresh.lastValueHitCount
                cold.matches += found.count
            }
            cold.seconds = (ContinuousClock.now - coldStart) / .seconds(1)
            cold.cpuSeconds = CPUTime.thread() - coldCPUStart

            // The baseline: every filter for every event.
            var brute = Row(method: "every filter (baseline)", events: sample.count, seconds: 0)
            var expected: [[Int]] = []
            expected.reserveCapacity(sample.count)
            let bruteStart = ContinuousClock.now
            let bruteCPUStart = CPUTime.thread()
            for event in sample {
                var ids: [Int] = []
                for (position, filter) in filters.enumerated() where filter.matches(event) { ids.append(position) }
                brute.matches += ids.count
                expected.append(ids)
            }
            brute.seconds = (ContinuousClock.now - bruteStart) / .seconds(1)
            brute.cpuSeconds = CPUTime.thread() - bruteCPUStart
            brute.evaluated = filters.count * sample.count
            brute.candidates = brute.evaluated

            var differences = 0
            for (event, ids) in zip(sample, expected) {
                index.matches(event, into: &found, scratch: &scratch)
                if found != ids { differences += 1 }
            }
            print("\n| method | events | seconds | events/s | events/s of thread CPU time | type candidates/event | value-key hits/event | filters evaluated/event | matches/event |")
            print("|---|---|---|---|---|---|---|---|---|")
            for row in [indexed, cold, brute] { print(row.line()) }
            print(String(format: "\nspeed-up of the index over the baseline: %.0fx; results compared on %d events: %@",
                         (Double(indexed.events) / indexed.seconds) / (Double(brute.events) / brute.seconds), sample.count,
                         differences == 0 ? "identical" : "\(differences) differ"))
            if differences > 0 { throw ExitCode.failure }
        }

        /// The subscriptions' filters and the event stream of the chosen mix.
        private func generate() throws -> ([SubscriptionFilter], [Event]) {
            switch mix {
            case .crm:
                var generator = SyntheticCRMSubscriptions(random: SeededRandom(seed: seed))
                let filters = try (0..<subscriptions).map { _ in try SubscriptionFilter.parse(generator.filter()) }
                return (filters, (0..<events).map { generator.event(sequence: Int64($0 + 1)) })
            case .broad:
                var generator = SyntheticSubscriptions(random: SeededRandom(seed: seed))
                let filters = try (0..<subscriptions).map { _ in try SubscriptionFilter.parse(generator.filter()) }
                return (filters, (0..<events).map { generator.event(sequence: Int64($0 + 1)) })
            }
        }
    }
}
