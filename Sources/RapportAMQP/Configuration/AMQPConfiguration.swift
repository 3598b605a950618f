import Foundation
import NIOCore
import NIOSSL

/// Where and how to connect, usually parsed from an `amqp://` or `amqps://` URL.
public struct AMQPConfiguration: Sendable, CustomStringConvertible {
    /// Broker host name or IP address.
    public var host: String
    /// Broker port: 5672 for amqp, 5671 for amqps by default.
    public var port: Int
    /// User name for PLAIN authentication.
    public var username: String
    /// Password for PLAIN authentication; never printed.
    public var password: String
    /// Virtual host to open ("/" is the default one).
    public var virtualHost: String
    /// Seconds between heartbeats we ask for; 0 asks for none (the broker may still insist).
    public var heartbeat: UInt16
    /// Largest frame we accept and send; 0 = no limit. Bodies are split to fit.
    public var frameMax: UInt32
    /// 0 = as many channels as the broker allows.
    public var channelMax: UInt16
    /// Limit for TCP connect plus the AMQP handshake.
    public var connectionTimeout: TimeAmount
    /// TLS settings; nil means plain TCP. `amqps` URLs get full certificate verification.
    public var tls: TLSConfiguration?
    /// Shown in the broker's management UI.
    public var connectionName: String?

    /// A configuration from parts; the port defaults by whether `tls` is set.
    public init(
        host: String = "127.0.0.1", port: Int? = nil, username: String = "guest", password: String = "guest",
        virtualHost: String = "/", heartbeat: UInt16 = 60, frameMax: UInt32 = 131_072, channelMax: UInt16 = 0,
        connectionTimeout: TimeAmount = .seconds(10), tls: TLSConfiguration? = nil, connectionName: String? = nil
    ) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.username = username
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeat = heartbeat
        self.frameMax = frameMax
        self.channelMax = channelMax
        self.connectionTimeout = connectionTimeout
        self.tls = tls
        self.connectionName = connectionName
    }

    /// Parses `amqp[s]://user:pass@host:port/vhost?heartbeat=30&frame_max=131072&channel_max=0&connection_timeout=10`;
    /// `amqps` also takes `cacertfile`, `certfile` and `keyfile` (PEM paths) for a private CA and client certificates.
    ///
    /// Follows the RabbitMQ URI spec: parts are percent-decoded, `%2f` in the path is "/", and an empty path
    /// (or a lone "/") means the default vhost "/". `connection_timeout` is in seconds (fractions allowed).
    public init(url: String) throws {
        guard let components = URLComponents(string: url) else { throw Self.invalid("URL", "cannot be parsed") }
        let useTLS: Bool
        switch components.scheme?.lowercased() {
        case "amqp": useTLS = false
        case "amqps": useTLS = true
        default: throw Self.invalid("scheme", "must be amqp or amqps, not \(components.scheme ?? "missing")")
        }
        var host = components.host ?? ""
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        if let port = components.port, !(1...65535).contains(port) { throw Self.invalid("port", "must be 1-65535") }
        let path = components.percentEncodedPath
        var virtualHost = "/"
        if path.count > 1 {
            let encoded = path.dropFirst()
            guard !encoded.contains("/") else { throw Self.invalid("vhost", "must be one path segment; write / as %2f") }
            guard let decoded = encoded.removingPercentEncoding else { throw Self.invalid("vhost", "has bad percent-encoding") }
            virtualHost = decoded
        }
        self.init(
            host: host, port: components.port, username: components.user ?? "guest", password: components.password ?? "guest",
            virtualHost: virtualHost, tls: useTLS ? .makeClientConfiguration() : nil)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "heartbeat":
                guard let seconds = UInt16(value) else { throw Self.invalid("heartbeat", "must be 0-65535 seconds") }
                heartbeat = seconds
            case "frame_max":
                guard let size = UInt32(value), size == 0 || size >= 4096 else { throw Self.invalid("frame_max", "must be 0 or at least 4096") }
                frameMax = size
            case "channel_max":
                guard let count = UInt16(value) else { throw Self.invalid("channel_max", "must be 0-65535") }
                channelMax = count
            case "connection_timeout":
                guard let seconds = Double(value), seconds > 0, seconds < 86_400 else { throw Self.invalid("connection_timeout", "must be a positive number of seconds") }
                connectionTimeout = .nanoseconds(Int64(seconds * 1_000_000_000))
            case "connection_name":
                connectionName = value
            // TLS options named as in RabbitMQ's URI query parameters; paths to PEM files.
            case "cacertfile", "certfile", "keyfile":
                guard tls != nil else { throw Self.invalid(item.name, "needs an amqps URL") }
                guard !value.isEmpty else { throw Self.invalid(item.name, "needs a file path") }
                do {
                    switch item.name {
                    // The CA file is read when connecting, so a rotated file is picked up on reconnect.
                    case "cacertfile": tls!.trustRoots = .file(value)
                    case "keyfile": tls!.privateKey = .privateKey(try NIOSSLPrivateKey(file: value, format: .pem))
                    default: tls!.certificateChain = try NIOSSLCertificate.fromPEMFile(value).map { .certificate($0) }
                    }
                } catch {
                    throw Self.invalid(item.name, "cannot be read: \(error)")
                }
            default:
                throw Self.invalid("query", "unknown parameter \(item.name)")
            }
        }
    }

    private static func invalid(_ part: String, _ problem: String) -> AMQPError {
        AMQPError(.invalidConfiguration, "AMQP URL \(part) \(problem)")
    }

    /// The URL without the password.
    public var description: String {
        let vhost = virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "\(tls == nil ? "amqp" : "amqps")://\(username)@\(host):\(port)/\(vhost)?heartbeat=\(heartbeat)&frame_max=\(frameMax)"
    }

    var settings: ConnectionStateMachine.Settings {
        .init(username: username, password: password, virtualHost: virtualHost, channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat, connectionName: connectionName)
    }
}
