import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import RapportCore
import RapportStore

extension Bench {
    /// Messages per second the SMTP server accepts durably (each `250` sent after its commit),
    /// from several connections sending one message after another with pipelined commands.
    struct SMTP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "smtp", abstract: "Measure durable inbound SMTP: messages answered 250 per second.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "Concurrent SMTP connections, one message in flight on each.")
        var connections = 32

        @Option(help: "Seconds to measure.")
        var duration: Double = 10

        @Option(help: "Seconds of warm-up.")
        var warmup: Double = 2

        @Option(help: "Size of each message in bytes.")
        var messageBytes = 10_240

        @Option(help: "Distinct senders (each first message creates a customer).")
        var senders = 2_000

        @Option(help: "The rapport binary to start as the server (default: rapport beside this rapport-bench).")
        var rapportBinary: String?

        func run() async throws {
            var logger = Logger(label: "rapport.bench")
            logger.logLevel = .error
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-\(UUID().uuidString)").path
            defer { if databaseURL == nil { try? FileManager.default.removeItem(atPath: directory) } }
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: directory)
            let binary = try ServerProcess.binary(rapportBinary)
            let run = UUID().uuidString.prefix(8).lowercased()
            let address = "support-\(run)@bench.example"
            try await Store.withRunning(location, logger: logger) { store in
                _ = try await store.write { tx in
                    try await store.organization.insertChannel(kind: .email, name: "bench \(run)", settings: ["address": .string(address)],
                                                               actor: .system, in: tx)
                }
            }
            let port = try await ServerProcess.freePort()
            let smtpPort = try await ServerProcess.freePort()
            let server = try ServerProcess.start(binary: binary, port: port, location: location,
                                                 extra: ["--smtp-port", String(smtpPort), "--smtp-sender-rate", "1000000"])
            defer { server.stop() }
            try await ServerProcess.waitUntilListening(port: smtpPort)
            print("rapport-bench smtp: store \(location), server pid \(server.pid), \(connections) connections, "
                + "\(messageBytes)-byte messages, \(duration) s after \(warmup) s warm-up")

            let counter = SMTPBenchCounter()
            let start = ContinuousClock.now
            let measureFrom = start + .seconds(warmup)
            let end = measureFrom + .seconds(duration)
            let body = Self.body(bytes: messageBytes)
            let senders = self.senders
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in 0..<connections {
                    group.addTask {
                        try await BenchSMTPClient.withConnection(port: smtpPort) { client in
                            var sequence = 0
                            while ContinuousClock.now < end {
                                let sender = "s\((connection &* 7_919 &+ sequence) % senders)-\(run)@example.com"
                                let message = "From: Sender <\(sender)>\r\nTo: \(address)\r\nSubject: Order \(sequence) question\r\n"
                                    + "Message-ID: <\(run)-\(connection)-\(sequence)@bench.example>\r\nMIME-Version: 1.0\r\n"
                                    + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
                                let sent = ContinuousClock.now
                                try await client.send(from: sender, to: address, message: message)
                                let done = ContinuousClock.now
                                if sent >= measureFrom, done <= end { counter.add(latency: done - sent) }
                                sequence += 1
                            }
                            try await client.quit()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let latencies = LatencySample(milliseconds: counter.latencies.map { Double($0.nanoseconds) / 1e6 })
            print(String(format: "SMTP messages accepted durably: %.0f/s (%d in %.0f s); latency MAIL→250 p50 %.1f ms, p99 %.1f ms",
                         Double(latencies.sorted.count) / duration, latencies.sorted.count, duration,
                         latencies.percentile(0.5), latencies.percentile(0.99)))
        }

        /// About `bytes` of CRLF-terminated customer text.
        static func body(bytes: Int) -> String {
            let line = "Hello, I ordered a pair of walking boots last week and the tracking page has not changed since Monday.\r\n"
            var text = ""
            while text.utf8.count + line.utf8.count < bytes { text += line }
            return text
        }
    }
}

/// Latencies of the measured window, from every connection.
final class SMTPBenchCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Duration] = []

    func add(latency: Duration) {
        lock.lock(); values.append(latency); lock.unlock()
    }

    var latencies: [Duration] {
        lock.lock(); defer { lock.unlock() }
        return values
    }
}

/// A minimal SMTP client for the benchmark: pipelines MAIL, RCPT and DATA, then sends the
/// message and waits for its `250`.
struct BenchSMTPClient {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let box: ReplyBox

    final class ReplyBox: @unchecked Sendable {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending: [UInt8] = []

        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
            self.iterator = iterator
        }

        /// The code of the next complete reply (multi-line replies read to their last line).
        func next() async throws -> Int {
            while true {
                if let newline = pending.firstIndex(of: 0x0A) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    guard line.count >= 4 else { continue }
                    if line[3] == UInt8(ascii: "-") { continue }
                    return Int(String(decoding: line[0..<3], as: UTF8.self)) ?? 0
                }
                guard let buffer = try await iterator.next() else { throw BenchFailure("SMTP connection closed") }
                pending += buffer.readableBytesView
            }
        }
    }

    /// Connects, reads the greeting, says EHLO and runs `body`; the connection is closed after.
    static func withConnection(port: Int, _ body: (BenchSMTPClient) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { inbound, outbound in
            let client = BenchSMTPClient(outbound: outbound, box: ReplyBox(inbound.makeAsyncIterator()))
            try await client.expect(220)
            try await client.write("EHLO bench.example\r\n")
            try await client.expect(250)
            try await body(client)
        }
    }

    func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    func expect(_ code: Int) async throws {
        let got = try await box.next()
        guard got == code else { throw BenchFailure("SMTP replied \(got), expected \(code)") }
    }

    func send(from: String, to: String, message: String) async throws {
        try await write("MAIL FROM:<\(from)>\r\nRCPT TO:<\(to)>\r\nDATA\r\n")
        try await expect(250)
        try await expect(250)
        try await expect(354)
        try await write(message + (message.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n")
        try await expect(250)
    }

    func quit() async throws {
        try await write("QUIT\r\n")
        _ = try? await box.next()
    }
}
