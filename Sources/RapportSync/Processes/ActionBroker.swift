import Logging
import NIOCore
import RapportAMQP

/// The broker connection Rapport's process actions publish on (`rapport.amqp`): opened when first
/// needed, a channel in confirm mode, the default exchange declared as the event publisher
/// declares it; dropped after an error and opened again for the next message.
actor ActionBroker {
    let configuration: AMQPConfiguration
    /// Where a message goes without an `exchange` of its own.
    let defaultExchange: String
    let logger: Logger
    private var connection: AMQPConnection?
    private var channel: AMQPChannel?

    init(configuration: AMQPConfiguration, defaultExchange: String, logger: Logger) {
        self.configuration = configuration
        self.defaultExchange = defaultExchange
        self.logger = logger
    }

    /// Publishes persistent and mandatory, and waits for the broker's answer.
    func publish(exchange: String?, routingKey: String, body: [UInt8], properties: AMQPBasicProperties) async throws -> AMQPPublishConfirm {
        let channel = try await openChannel()
        do {
            return try await channel.basicPublish(exchange: exchange ?? defaultExchange, routingKey: routingKey, body: body,
                                                  properties: properties, mandatory: true)
        } catch {
            await drop()
            throw error
        }
    }

    func close() async {
        await drop()
    }

    private func openChannel() async throws -> AMQPChannel {
        if let channel, let connection, connection.isOpen { return channel }
        await drop()
        let opened = try await AMQPConnection.connect(configuration, logger: logger)
        do {
            let channel = try await opened.openChannel()
            try await channel.exchangeDeclare(name: defaultExchange, type: "topic", durable: true)
            try await channel.confirmSelect()
            connection = opened
            self.channel = channel
            return channel
        } catch {
            try? await opened.close()
            throw error
        }
    }

    private func drop() async {
        let open = connection
        connection = nil
        channel = nil
        try? await open?.close()
    }
}
