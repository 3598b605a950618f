import RapportCore

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
        let securities: [String: Security] = ["smtp": .none, "smtp+starttls": .starttls, "smtps": .tls]
        guard let url = MailServerURL(text, defaultPorts: ["smtp": 25, "smtp+starttls": 587, "smtps": 465]),
              let security = securities[url.scheme] else { return nil }
        self.init(host: url.host, port: url.port, security: security, username: username, password: password,
                  trustedCertificatesPath: trustedCertificatesPath, hostname: hostname)
    }
}
