import ArgumentParser
import Foundation
import RapportCore

extension Bench {
    /// The MIME parser's throughput on the mail corpus, beside Python's `email` package parsing
    /// the same messages in the same run (`scripts/bench/mime_peer.py`).
    struct MIME: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mime", abstract: "Measure MIME parsing (MailParser) in MB/s, and Python's email package on the same messages.")

        @Option(help: "Folder of .eml files (default: the test corpus).")
        var corpus = "Tests/RapportCoreTests/Fixtures/mail"

        @Option(help: "Megabytes (10^6 bytes) to parse per run.")
        var megabytes: Double = 50

        @Option(name: .customLong("repeat"), help: "Runs; the fastest is reported with the median.")
        var repeats = 3

        @Option(help: "The Python peer script; empty to skip the peer.")
        var peer = "scripts/bench/mime_peer.py"

        @Option(help: "Megabytes for the peer per run (it is slow).")
        var peerMegabytes: Double = 10

        func run() throws {
            let messages = try MailCorpusFiles.load(corpus)
            guard !messages.isEmpty else { throw ValidationError("no .eml files in \(corpus)") }
            let parser = MailParser()
            var rates: [Double] = []
            var parsed = 0
            var touched = 0
            for _ in 0..<repeats {
                let target = Int(megabytes * 1_000_000)
                var size = 0
                var count = 0
                let start = ContinuousClock.now
                outer: while size < target {
                    for raw in messages {
                        let message = parser.parse(raw)
                        touched &+= (message.subject?.utf8.count ?? 0) + (message.from?.name?.utf8.count ?? 0) + message.reply.new.utf8.count
                            + message.attachments.reduce(0) { $0 + $1.size }
                        size += raw.count
                        count += 1
                        if size >= target { break outer }
                    }
                }
                let seconds = (ContinuousClock.now - start) / .seconds(1)
                rates.append(Double(size) / seconds / 1e6)
                parsed = count
            }
            let best = rates.max() ?? 0
            let median = rates.sorted()[rates.count / 2]
            print("MailParser: \(messages.count) messages in the corpus, \(parsed) parsed per run (checksum \(touched % 1_000))")
            print(String(format: "  best %.1f MB/s, median %.1f MB/s over %d runs of %.0f MB", best, median, repeats, megabytes))
            guard !peer.isEmpty else { return }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", peer, "--corpus", corpus, "--megabytes", String(peerMegabytes), "--repeat", String(repeats)]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard let line = String(data: output, encoding: .utf8),
                  let figures = try? JSONParser.parse(line.trimmingCharacters(in: .whitespacesAndNewlines)).objectValue,
                  let peerBest = figures["mb_per_s"].flatMap(\.doubleValue) else {
                print("  peer did not report figures")
                return
            }
            print(String(format: "Python %@ email package: best %.2f MB/s, median %.2f MB/s (%@ errors)",
                         figures["python"]?.stringValue ?? "?", peerBest, figures["median_mb_per_s"].flatMap(\.doubleValue) ?? 0,
                         figures["errors"].map { "\($0.intValue ?? 0)" } ?? "?"))
            print(String(format: "  MailParser is %.1f× Python's email package (best against best)", best / peerBest))
        }
    }

    /// Mutated messages through the parser for a while: it must return for every input, in time
    /// proportional to its size. Prints what it tried; any crash ends the process.
    struct MIMEFuzz: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mime-fuzz", abstract: "Feed mutated messages to MailParser for a given time (it must never crash).")

        @Option(help: "Folder of .eml files to mutate (default: the test corpus).")
        var corpus = "Tests/RapportCoreTests/Fixtures/mail"

        @Option(help: "Minutes to run.")
        var minutes: Double = 10

        @Option(help: "Seed of the mutations.")
        var seed: UInt64 = 1

        func run() throws {
            let messages = try MailCorpusFiles.load(corpus)
            guard !messages.isEmpty else { throw ValidationError("no .eml files in \(corpus)") }
            var random = SeededRandom(seed: seed)
            let parser = MailParser()
            let deadline = ContinuousClock.now + .seconds(minutes * 60)
            var runs = 0, bytes = 0, malformed = 0
            var slowest: (Double, Int) = (0, 0)
            var nextReport = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                for _ in 0..<200 {
                    var input = messages[Int.random(in: 0..<messages.count, using: &random)]
                    MailMutation.mutate(&input, others: messages, using: &random)
                    let start = ContinuousClock.now
                    let message = parser.parse(input)
                    let seconds = (ContinuousClock.now - start) / .seconds(1)
                    let perKB = seconds / Double(max(1, input.count / 1_024 + 1))
                    if perKB > slowest.0 { slowest = (perKB, input.count) }
                    if message.isMalformed { malformed += 1 }
                    runs += 1
                    bytes += input.count
                }
                if ContinuousClock.now >= nextReport {
                    print("  \(runs) inputs so far")
                    nextReport = ContinuousClock.now + .seconds(60)
                }
            }
            print("mime-fuzz: \(runs) mutated messages (\(bytes / 1_000_000) MB) in \(minutes) min, seed \(seed): no crash; "
                + "\(malformed) flagged malformed; slowest \(String(format: "%.2f", slowest.0 * 1_000)) ms per KB (a \(slowest.1)-byte input)")
        }
    }
}

/// The `.eml` files of a folder, in name order.
enum MailCorpusFiles {
    static func load(_ folder: String) throws -> [[UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent($0))) }
    }
}

/// Byte-level mutations that resemble what breaks mail: flipped and deleted bytes, cut
/// messages, duplicated or spliced ranges (from other messages too), and the bytes the parser
/// treats specially (`=`, `?`, `-`, `<`, `;`, CR, LF, quotes, NUL, 8-bit) inserted.
enum MailMutation {
    static let special: [UInt8] = Array("=?-<>;:\"\\\r\n\t (*'%_".utf8) + [0, 0x80, 0xFF, 0x1B, 0xC3]

    static func mutate(_ input: inout [UInt8], others: [[UInt8]], using random: inout SeededRandom) {
        let steps = Int.random(in: 1...8, using: &random)
        for _ in 0..<steps {
            guard !input.isEmpty else { input = others[Int.random(in: 0..<others.count, using: &random)]; continue }
            let position = Int.random(in: 0..<input.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0: input[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: input.remove(at: position)
            case 2: input.insert(special[Int.random(in: 0..<special.count, using: &random)], at: position)
            case 3: input.removeSubrange(position...)  // cut off
            case 4:
                let length = Int.random(in: 1...min(512, input.count - position), using: &random)
                input.insert(contentsOf: input[position..<(position + length)], at: position)
            case 5:
                let other = others[Int.random(in: 0..<others.count, using: &random)]
                guard !other.isEmpty else { continue }
                let start = Int.random(in: 0..<other.count, using: &random)
                let length = Int.random(in: 1...min(2_048, other.count - start), using: &random)
                input.insert(contentsOf: other[start..<(start + length)], at: position)
            case 6:
                let length = Int.random(in: 1...min(64, input.count - position), using: &random)
                input.replaceSubrange(position..<(position + length), with: repeatElement(special[Int.random(in: 0..<special.count, using: &random)], count: length))
            default:
                // A boundary line or an encoded word where none was.
                let snippets = ["\r\n--", "=?utf-8?B?", "?=", "\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n", "filename*0*=",
                                "\r\n\r\n", "=\r\n", "<blockquote>"]
                input.insert(contentsOf: Array(snippets[Int.random(in: 0..<snippets.count, using: &random)].utf8), at: position)
            }
        }
    }
}
