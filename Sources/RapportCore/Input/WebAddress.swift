/// A web address people open: `http(s)://host[:port][/path]` — a host of letters, digits, `.` and
/// `-`, a port of 1–5 digits, a path without spaces, quotes, angle brackets or control
/// characters. Checked scalar by scalar, as the OpenAPI document's pattern says it.
public enum WebAddress {
    public static func isValid(_ text: String) -> Bool {
        var rest = Substring.UnicodeScalarView(text.unicodeScalars)
        if text.utf8.starts(with: "https://".utf8) { rest = rest.dropFirst(8) }
        else if text.utf8.starts(with: "http://".utf8) { rest = rest.dropFirst(7) }
        else { return false }
        func isHost(_ scalar: Unicode.Scalar) -> Bool { scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-") }
        let host = rest.prefix(while: isHost)
        guard !host.isEmpty else { return false }
        rest = rest.dropFirst(host.count)
        if rest.first == ":" {
            rest = rest.dropFirst()
            let port = rest.prefix(while: { ("0"..."9").contains($0) })
            guard (1...5).contains(port.count) else { return false }
            rest = rest.dropFirst(port.count)
        }
        guard rest.isEmpty || rest.first == "/" else { return false }
        return rest.allSatisfy { scalar in
            !scalar.properties.isWhitespace && !"\"<>".unicodeScalars.contains(scalar) && !(0...0x1F).contains(scalar.value) && !(0x7F...0x9F).contains(scalar.value)
        }
    }
}
