import Foundation
import NIOCore
import RapportAMQP
import RapportTestSupport
import Testing

/// TLS through a local terminator: socat listens with a throwaway self-signed certificate and forwards to RabbitMQ.
@Suite("AMQP over TLS", .enabled(if: AMQPTestBroker.isAvailable && TLSTerminator.toolsAvailable), .serialized, .timeLimit(.minutes(1)))
struct AMQPTLSTests {
    @Test func amqpsWithTheBrokersCAConnects() async throws {
        try await TLSTerminator.with { port, caFile in
            let url = "amqps://guest:guest@localhost:\(port)/?cacertfile=\(caFile)"
            let connection = try await AMQPConnection.connect(try AMQPConfiguration(url: url), logger: AMQPTestBroker.logger)
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(name: AMQPTestBroker.uniqueName("tls"), durable: false).name
            try await channel.confirmSelect()
            #expect(try await channel.basicPublish(exchange: "", routingKey: queue, body: Array("over tls".utf8)) == .acked)
            #expect(try await channel.queueDelete(name: queue) == 1)
            try await connection.close()
        }
    }

    @Test func amqpsRefusesAnUntrustedCertificateByDefault() async throws {
        try await TLSTerminator.with { port, _ in
            let configuration = try AMQPConfiguration(url: "amqps://guest:guest@localhost:\(port)/?connection_timeout=5")
            do {
                _ = try await AMQPConnection.connect(configuration, logger: AMQPTestBroker.logger)
                Issue.record("connected to a self-signed certificate without trusting it")
            } catch let error as AMQPError {
                #expect(error.code == .ioError || error.code == .connectionClosed, "\(error)")
            }
        }
    }
}

enum TLSTerminator {
    static let toolsAvailable = ["/usr/bin/socat", "/usr/bin/openssl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    /// Starts socat (one connection, no fork) on a free port with a fresh certificate for "localhost", runs
    /// `body(port, certificatePath)`, stops socat.
    static func with(_ body: (Int, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-amqp-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = directory + "/cert.pem"
        let key = directory + "/key.pem"
        try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                                     "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", certificate])
        let (socat, port) = try await startSocat(certificate: certificate, key: key)
        defer {
            // SIGKILL: a spawned child can inherit a signal mask that blocks SIGTERM.
            kill(socat.processIdentifier, SIGKILL)
            socat.waitUntilExit()
        }
        try await body(port, certificate)
    }

    /// socat listening on a port of its own. Ports are drawn below Linux's ephemeral range
    /// (32768-60999), which the suite's own connections take; a port another test bound meanwhile
    /// makes socat exit at once, and the next port is tried.
    private static func startSocat(certificate: String, key: String) async throws -> (Process, Int) {
        for attempt in 1...5 {
            let port = Int.random(in: 10_000...32_000)
            let socat = Process()
            socat.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
            socat.arguments = ["OPENSSL-LISTEN:\(port),bind=127.0.0.1,reuseaddr,cert=\(certificate),key=\(key),verify=0", "TCP:127.0.0.1:5672"]
            // socat must not hold the test runner's output pipes open, or the run never ends.
            socat.standardInput = FileHandle.nullDevice
            socat.standardOutput = FileHandle.nullDevice
            socat.standardError = FileHandle.nullDevice
            try socat.run()
            // socat serves one connection: the test's own must be its first, so look for the
            // listening socket rather than connect to it.
            do {
                try await waitUntil("socat listening on \(port)") {
                    guard socat.isRunning else { throw AMQPError(.ioError, "socat exited (\(socat.terminationStatus)) before listening on \(port)") }
                    return isListening(port: port)
                }
                return (socat, port)
            } catch is AMQPError where attempt < 5 && !socat.isRunning {
                socat.waitUntilExit()  // the port was taken: try another
            } catch {
                kill(socat.processIdentifier, SIGKILL)
                socat.waitUntilExit()
                throw error
            }
        }
        throw AMQPError(.ioError, "socat could not listen on any of five ports")
    }

    /// Whether a TCP socket listens on `port` of 127.0.0.1, as the kernel lists them in
    /// /proc/net/tcp (local address `0100007F:<port in hex>`, state `0A`).
    private static func isListening(port: Int) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return false }
        let local = "0100007F:" + String(format: "%04X", port)
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1] == local && fields[3] == "0A"
        }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw AMQPError(.ioError, "\(tool) failed") }
    }
}
