import Foundation
import Logging
import NIOCore
import RapportAMQP
import RapportTestSupport

/// The RabbitMQ the integration tests use: RAPPORT_TEST_AMQP_URL, like RAPPORT_TEST_POSTGRES_URL for the store.
enum AMQPTestBroker {
    static var url: String? { TestBroker.url }

    static var isAvailable: Bool { url != nil }

    static let logger: Logger = {
        var logger = Logger(label: "rapport.test.amqp")
        logger.logLevel = ProcessInfo.processInfo.environment["RAPPORT_TEST_AMQP_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    static func configuration(_ adjust: (inout AMQPConfiguration) -> Void = { _ in }) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: url!)
        adjust(&configuration)
        return configuration
    }

    /// A name no other test run uses.
    static func uniqueName(_ purpose: String) -> String {
        "rapport.test.\(purpose).\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Connects, runs `body`, and closes the connection whatever happens.
    static func withConnection<T: Sendable>(_ adjust: (inout AMQPConfiguration) -> Void = { _ in }, _ body: (AMQPConnection) async throws -> T) async throws -> T {
        let connection = try await AMQPConnection.connect(try configuration(adjust), logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs rabbitmqctl and returns its output.
    @discardableResult
    static func rabbitmqctl(_ arguments: [String]) async throws -> String {
        try await TestBroker.rabbitmqctl(arguments)
    }
}

