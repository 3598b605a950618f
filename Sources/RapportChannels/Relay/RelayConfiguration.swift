/// The SMTP relay Rapport sends mail through (a submission server such as Postfix on port 587,
/// or a provider's): where it is, how the connection is secured, and the login.
public struct RelayConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP; only for a relay on the same host or network.
        case none
        /// `STARTTLS` after the greeting (port 587); refuses to go on when the relay does not offer it.
        case starttls
        /// TLS from the first byte (port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// A PEM file of certificates to trust instead of the system's (a private relay's CA).
    public var trustedCertificatesPath: String?
    /// The name Rapport gives in `EHLO`.
    public var hostname: String
    /// How long one step may wait for the relay's answer.
    public var timeout: Duration

    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
                trustedCertificatesPath: String? = nil, hostname: String, timeout: Duration = .seconds(60)) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.trustedCertificatesPath = trustedCertificatesPath
        self.hostname = hostname
        self.timeout = timeout
    }

    /// Reads `smtp://host:port`, `smtp+starttls://host:587` or `smtps://host:465`; nil when the
    /// text is none of these.
    public init?(url text: String, username: String?, password: String?, trustedCertificatesPath: String?, hostname: String) {
        let schemes: [(prefix: String, security: Security, port: Int)] = [
            ("smtp+starttls://", .starttls, 587), ("smtps://", .tls, 465), ("smtp://", .none, 25),
        ]
        guard let scheme = schemes.first(where: { text.lowercased().hasPrefix($0.prefix) }) else { return nil }
        var rest = Substring(text.dropFirst(scheme.prefix.count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else { return nil }
        var host = String(rest)
        var port = scheme.port
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { guard let number = Int(after.dropFirst()) else { return nil }; port = number } else if !after.isEmpty { return nil }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]) else { return nil }
            port = number
            host = String(host[..<colon])
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
        self.init(host: host, port: port, security: scheme.security, username: username, password: password,
                  trustedCertificatesPath: trustedCertificatesPath, hostname: hostname)
    }
}
