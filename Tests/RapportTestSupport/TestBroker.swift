import Foundation

/// The RabbitMQ the tests use: RAPPORT_TEST_AMQP_URL, as RAPPORT_TEST_POSTGRES_URL names the
/// PostgreSQL server; the tests that need a broker return early without it.
public enum TestBroker {
    /// The broker's URL, or nil (and a note in the test output, which `.ci/run` looks for).
    public static let url: String? = {
        let url = ProcessInfo.processInfo.environment["RAPPORT_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil { print("Rapport tests: RabbitMQ tests skipped: RAPPORT_TEST_AMQP_URL is not set") }
        return url
    }()

    public static var isAvailable: Bool { url != nil }

    /// Runs rabbitmqctl (on PATH or in /usr/sbin) and returns its output.
    @discardableResult
    public static func rabbitmqctl(_ arguments: [String]) throws -> String {
        let process = Process()
        let candidates = ["/usr/sbin/rabbitmqctl", "/usr/local/sbin/rabbitmqctl", "/usr/bin/rabbitmqctl"]
        process.executableURL = URL(fileURLWithPath: candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "rabbitmqctl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
