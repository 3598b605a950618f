/// A mail server's address as settings write it: `scheme://host:port`, an IPv6 host in brackets,
/// the port optional. No user, path or query: credentials are settings of their own.
public struct MailServerURL: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int

    /// Reads `text` when its scheme is one of `defaultPorts` (lowercased), whose port it takes
    /// when none is written.
    public init?(_ text: String, defaultPorts: [String: Int]) {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard let defaultPort = defaultPorts[scheme] else { return nil }
        var rest = Substring(text[separator.upperBound...])
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@"), !rest.contains("?"), !rest.contains(where: \.isWhitespace) else { return nil }
        var host = String(rest)
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()) else { return nil }
                port = number
            } else if !after.isEmpty {
                return nil
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]) else { return nil }
            port = number
            host = String(host[..<colon])
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
    }
}
