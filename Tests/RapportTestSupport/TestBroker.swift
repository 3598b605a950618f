import Foundation
import Testing

/// The RabbitMQ the tests use: RAPPORT_TEST_AMQP_URL, as RAPPORT_TEST_POSTGRES_URL names the
/// PostgreSQL server. Tests that need a broker carry `.enabled(if: TestBroker.isAvailable)`, so
/// without it they are reported as skipped.
public enum TestBroker {
    /// The broker's URL, or nil (and a note in the test output, which `.ci/run` looks for).
    public static let url: String? = {
        let url = ProcessInfo.processInfo.environment["RAPPORT_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil { print("Rapport tests: RabbitMQ tests skipped: RAPPORT_TEST_AMQP_URL is not set") }
        return url
    }()

    public static var isAvailable: Bool { url != nil }

    /// Runs rabbitmqctl (on PATH or in /usr/sbin) and returns its output.
    ///
    /// The process is awaited, not waited for: a blocking wait would hold one of the few threads
    /// every test shares for as long as rabbitmqctl takes (seconds on a busy machine). Its output
    /// goes to a file, not a pipe, which a daemon it starts (epmd) could hold open for ever; and it
    /// is killed after `timeout`, so a stuck broker fails the test that asked.
    @discardableResult
    public static func rabbitmqctl(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> String {
        let process = Process()
        let candidates = ["/usr/sbin/rabbitmqctl", "/usr/local/sbin/rabbitmqctl", "/usr/bin/rabbitmqctl"]
        process.executableURL = URL(fileURLWithPath: candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "rabbitmqctl")
        process.arguments = arguments
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("rabbitmqctl-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw RabbitmqctlError(arguments: arguments, reason: "cannot create \(outputURL.path)")
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // The bound, not synchronisation: the process ending first cancels it.
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? output.close()
        guard status == 0 else {
            throw RabbitmqctlError(arguments: arguments, reason: "exit status \(status)")
        }
        return String(decoding: try Data(contentsOf: outputURL), as: UTF8.self)
    }

    /// The broker's pid of the connection whose client properties carry `name`, once rabbitmqctl
    /// lists it (the broker registers a connection a moment after the handshake).
    public static func connectionPID(named name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        try await eventually("connection \(name) listed by rabbitmqctl", sourceLocation: sourceLocation) {
            let listing = try await rabbitmqctl(["list_connections", "pid", "client_properties", "-q", "-s"])
            return listing.split(separator: "\n").first { $0.contains(name) }.flatMap { $0.split(separator: "\t").first.map(String.init) }
        }
    }

    /// The messages of queue `name` ready for delivery and delivered but not yet acknowledged, as
    /// the queue itself counts them; nil while rabbitmqctl does not list the queue.
    public static func queueCounts(_ name: String) async throws -> (ready: Int, unacknowledged: Int)? {
        let listing = try await rabbitmqctl(["list_queues", "name", "messages_ready", "messages_unacknowledged", "-q", "-s"])
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3, fields[0] == name, let ready = Int(fields[1]), let unacknowledged = Int(fields[2]) else { continue }
            return (ready, unacknowledged)
        }
        return nil
    }
}

/// rabbitmqctl could not be run or did not succeed.
public struct RabbitmqctlError: Error, CustomStringConvertible {
    public let arguments: [String]
    public let reason: String
    public var description: String { "rabbitmqctl \(arguments.joined(separator: " ")): \(reason)" }
}
