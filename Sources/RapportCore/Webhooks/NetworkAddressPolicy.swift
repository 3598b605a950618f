/// Which addresses a webhook may be sent to: public ones only, unless private targets are
/// allowed (for tests and internal receivers). Checked on the addresses a host name resolves to,
/// so a public name pointing at 127.0.0.1 is refused too.
public struct NetworkAddressPolicy: Sendable, Equatable {
    public var allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// Why `address` (IPv4 dotted or IPv6 text) is refused; nil when it may be used.
    public func refusal(of address: String) -> String? {
        guard let kind = NetworkAddressKind(address) else { return "\(address) is not an IP address" }
        if kind == .public || allowPrivate { return nil }
        return "\(address) is a \(kind.rawValue) address; webhooks go to public addresses unless --webhooks-allow-private is set"
    }
}

/// The class of an IP address that matters for where requests may go.
public enum NetworkAddressKind: String, Sendable {
    case `public`
    case loopback
    case `private`
    case linkLocal = "link-local"
    case unspecified
    case multicast
    case reserved

    /// Classifies an address in text form; nil when it is not one.
    public init?(_ text: String) {
        if let bytes = Self.ipv4(text) {
            self = Self.classify(ipv4: bytes)
        } else if let bytes = Self.ipv6(text) {
            self = Self.classify(ipv6: bytes)
        } else {
            return nil
        }
    }

    static func classify(ipv4 b: [UInt8]) -> NetworkAddressKind {
        switch (b[0], b[1]) {
        case (0, _): return .unspecified
        case (10, _), (192, 168): return .private
        case (172, 16...31): return .private
        case (100, 64...127): return .private          // carrier-grade NAT
        case (127, _): return .loopback
        case (169, 254): return .linkLocal
        case (192, 0) where b[2] == 0: return .reserved  // IETF protocol assignments
        case (198, 18...19): return .reserved           // benchmarking
        case (224...239, _): return .multicast
        case (240...255, _): return .reserved
        default: return .public
        }
    }

    static func classify(ipv6 b: [UInt8]) -> NetworkAddressKind {
        if b.allSatisfy({ $0 == 0 }) { return .unspecified }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms carry an IPv4 address.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return classify(ipv4: Array(b[12..<16])) }
        if b[0] == 0xFF { return .multicast }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return .linkLocal }
        if (b[0] & 0xFE) == 0xFC { return .private }    // unique local fc00::/7
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return .reserved }  // documentation
        return .public
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        guard text.contains(":") else { return nil }
        var tail: [UInt8] = []
        // A trailing dotted IPv4 part stands for the last two groups.
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = ipv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            text = text[...lastColon]
            if text.hasSuffix("::") == false { text = text.dropLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        let rest = halves.count == 2 ? groups(halves[1]) : []
        guard let rest else { return nil }
        let needed = 8 - tail.count / 2
        var all: [UInt16]
        if halves.count == 2 {
            guard head.count + rest.count < needed else { return nil }
            all = head + Array(repeating: 0, count: needed - head.count - rest.count) + rest
        } else {
            guard head.count == needed else { return nil }
            all = head
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } + tail
    }
}
