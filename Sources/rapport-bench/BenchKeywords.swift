import ArgumentParser
import Foundation
import RapportCore

extension Bench {
    /// Keyword-set matching over a large text on one thread: building a `KeywordMatcher` and
    /// scanning the text with it. `scripts/bench/keywords_bench.py` runs it on the same files as
    /// pyahocorasick.
    struct Keywords: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure keyword-set matching (KeywordMatcher) over a large text.")

        @Option(help: "UTF-8 text to scan; without it a synthetic corpus is generated.")
        var text: String?

        @Option(help: "Terms to match, one per line; without it terms are generated.")
        var keywordsFile: String?

        @Option(help: "Terms to generate (without --keywords-file).")
        var keywords = 1_000

        @Option(help: "Megabytes (10^6 bytes) of text to generate (without --text).")
        var megabytes = 50

        @Option(help: "Seed of the generated text and terms.")
        var seed: UInt64 = 1

        @Option(name: .customLong("repeat"), help: "Scans to run; the fastest is reported.")
        var repeats = 3

        @Flag(help: "Match whole words only.")
        var wholeWords = false

        @Flag(help: "Print the figures as one JSON line (for the Python script).")
        var json = false

        func run() throws {
            var generator = SeededRandom(seed: seed)
            let vocabulary = Self.vocabulary(&generator)
            let corpus = try text.map { try String(contentsOfFile: $0, encoding: .utf8) }
                ?? Self.corpus(&generator, vocabulary: vocabulary, bytes: megabytes * 1_000_000)
            let terms = try keywordsFile.map { path in
                try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            } ?? Self.terms(&generator, vocabulary: vocabulary, count: keywords)
            let size = corpus.utf8.count

            let buildStart = ContinuousClock.now
            let matcher = try KeywordMatcher(sets: [KeywordSetDefinition(name: "bench", terms: terms, wholeWords: wholeWords)])
            let buildSeconds = (ContinuousClock.now - buildStart) / .seconds(1)

            var scanSeconds = Double.infinity
            var cpuSeconds = Double.infinity
            var setSeconds = Double.infinity
            var matchCount = 0
            for _ in 0..<max(1, repeats) {
                let start = ContinuousClock.now
                let cpuStart = CPUTime.thread()
                matchCount = matcher.matches(in: corpus).count
                scanSeconds = min(scanSeconds, (ContinuousClock.now - start) / .seconds(1))
                cpuSeconds = min(cpuSeconds, CPUTime.thread() - cpuStart)
                let setStart = ContinuousClock.now
                _ = matcher.matchedSetIndices(in: corpus)
                setSeconds = min(setSeconds, (ContinuousClock.now - setStart) / .seconds(1))
            }
            if json {
                let fields: [String: Any] = [
                    "keywords": terms.count, "bytes": size, "build_seconds": buildSeconds, "scan_seconds": scanSeconds,
                    "scan_cpu_seconds": cpuSeconds, "matched_sets_seconds": setSeconds, "matches": matchCount,
                ]
                let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                let megabytes = Double(size) / 1e6
                print(String(format: "rapport-bench keywords: %d terms, %.1f MB of text, whole words %@", terms.count, megabytes,
                             wholeWords ? "on" : "off"))
                print(String(format: "build %.3f s; matches(in:) %.3f s (%.0f MB/s, %.0f MB/s of thread CPU), %d matches; matchedSetIndices(in:) %.3f s (%.0f MB/s)",
                             buildSeconds, scanSeconds, megabytes / scanSeconds, megabytes / cpuSeconds, matchCount, setSeconds,
                             megabytes / setSeconds))
            }
        }

        // Generated input, for runs without files: English-like words, Chinese and full-width Latin.

        private static let syllables = ("ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go ha he hi ho ka ke ki ko la le "
            + "li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu st tr ch sh th")
            .split(separator: " ").map(String.init)

        private static func vocabulary(_ generator: inout SeededRandom) -> [String] {
            var words = Set(["order", "refund", "invoice", "account", "payment", "card", "delivery", "support", "please", "thanks"])
            while words.count < 20_000 {
                words.insert((0..<generator.int(in: 2...4)).map { _ in syllables[generator.int(in: 0...syllables.count - 1)] }.joined())
            }
            return words.sorted()
        }

        private static func han(_ generator: inout SeededRandom, count: Int) -> String {
            var view = String.UnicodeScalarView()
            for _ in 0..<count { view.append(Unicode.Scalar(UInt32(0x4E00 + generator.int(in: 0...2_499)))!) }
            return String(view)
        }

        private static func corpus(_ generator: inout SeededRandom, vocabulary: [String], bytes: Int) -> String {
            var text = ""
            text.reserveCapacity(bytes + 64)
            while text.utf8.count < bytes {
                // Squaring the uniform draw favours the start of the list: some words are common.
                let draw = Double(generator.int(in: 0...1_000_000)) / 1_000_000
                let word = vocabulary[Int(draw * draw * Double(vocabulary.count - 1))]
                switch generator.int(in: 0...99) {
                case 0..<80: text += word
                case 80..<85: text += word.capitalized
                case 85..<97: text += han(&generator, count: generator.int(in: 2...6))
                default: text += String(String.UnicodeScalarView(word.unicodeScalars.map { Unicode.Scalar($0.value - 0x21 + 0xFF01)! }))
                }
                text += generator.int(in: 0...19) == 0 ? "\n" : " "
            }
            return text
        }

        private static func terms(_ generator: inout SeededRandom, vocabulary: [String], count: Int) -> [String] {
            var terms = Set<String>()
            while terms.count < count {
                switch generator.int(in: 0...4) {
                case 0, 1: terms.insert(vocabulary[generator.int(in: 0...vocabulary.count - 1)])
                case 2: terms.insert(vocabulary[generator.int(in: 0...vocabulary.count - 1)] + " " + vocabulary[generator.int(in: 0...vocabulary.count - 1)])
                case 3: terms.insert(han(&generator, count: generator.int(in: 2...4)))
                default: terms.insert("zq" + (0..<generator.int(in: 2...4)).map { _ in syllables[generator.int(in: 0...syllables.count - 1)] }.joined())
                }
            }
            return terms.sorted()
        }
    }
}

/// The benchmark's input is drawn from a seeded generator, the same for a seed on every machine.
private extension SeededRandom {
    /// A number in `range` (modulo bias is irrelevant here).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
