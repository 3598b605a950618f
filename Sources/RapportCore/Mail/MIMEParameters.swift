/// A structured header value with parameters: `Content-Type` and `Content-Disposition`.
///
/// `text/plain; charset="utf-8"; format=flowed`: the value before the first `;`, then
/// `name=value` pairs with token or quoted-string values. RFC 2231 extended parameters
/// (`name*=utf-8''%E6%8A%A5`, continuations `name*0*=`, `name*1=`) are joined and decoded;
/// an RFC 2047 encoded word inside a quoted value (as Outlook writes file names) is decoded too.
public struct MIMEHeaderValue: Sendable, Equatable {
    /// The value before the parameters, lowercased (`text/plain`, `attachment`).
    public var value: String
    /// Parameters by lowercased name, decoded.
    public var parameters: [String: String]

    public init(value: String, parameters: [String: String] = [:]) {
        self.value = value
        self.parameters = parameters
    }

    public static func parse(_ text: String) -> MIMEHeaderValue {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var value = ""
        while index < scalars.count, scalars[index] != ";" {
            if scalars[index] == "(" { skipComment(scalars, &index); continue }
            value.unicodeScalars.append(scalars[index])
            index += 1
        }
        var raw: [(name: String, value: String, quoted: Bool)] = []
        while index < scalars.count {
            index += 1  // `;`
            skipSpace(scalars, &index)
            var name = ""
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" {
                if !isSpace(scalars[index]) { name.unicodeScalars.append(scalars[index]) }
                index += 1
            }
            guard index < scalars.count, scalars[index] == "=" else { continue }
            index += 1
            skipSpace(scalars, &index)
            var parameterValue = ""
            var quoted = false
            if index < scalars.count, scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    parameterValue.unicodeScalars.append(scalars[index])
                    index += 1
                }
                // Anything up to the next `;` after the closing quote is ignored.
                while index < scalars.count, scalars[index] != ";" { index += 1 }
            } else {
                // Lenient: an unquoted value runs to the next `;` (spaces in file names happen).
                while index < scalars.count, scalars[index] != ";" {
                    parameterValue.unicodeScalars.append(scalars[index])
                    index += 1
                }
                parameterValue = parameterValue.trimmingSpace()
            }
            if !name.isEmpty { raw.append((name.lowercased(), parameterValue, quoted)) }
        }
        return MIMEHeaderValue(value: value.trimmingSpace().lowercased(), parameters: combine(raw))
    }

    /// Joins RFC 2231 sections and decodes extended values; plain parameters are taken as given
    /// (the first of duplicates), with encoded words decoded.
    private static func combine(_ raw: [(name: String, value: String, quoted: Bool)]) -> [String: String] {
        var plain: [String: String] = [:]
        // name -> [(section, value, extended)]
        var sections: [String: [(Int, String, Bool)]] = [:]
        for item in raw {
            var name = item.name
            let extended = name.hasSuffix("*")
            if extended { name.removeLast() }
            if let star = name.lastIndex(of: "*"), let section = Int(name[name.index(after: star)...]) {
                sections[String(name[..<star]), default: []].append((section, item.value, extended))
            } else if extended {
                sections[name, default: []].append((0, item.value, true))
            } else if plain[name] == nil {
                plain[name] = item.value.containsUTF8("=?") ? EncodedWords.decode(item.value) : item.value
            }
        }
        for (name, parts) in sections {
            let ordered = parts.sorted { $0.0 < $1.0 }
            var charset: String?
            var bytes: [UInt8] = []
            for (position, part) in ordered.enumerated() {
                var text = Substring(part.1)
                if part.2, position == 0 {
                    // charset'language'value
                    let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if pieces.count == 3 {
                        charset = String(pieces[0])
                        text = pieces[2]
                    }
                }
                bytes += part.2 ? percentDecoded(text) : Array(text.utf8)
            }
            // An extended value wins over a plain one of the same name.
            plain[name] = MailCharset.decode(bytes, label: charset ?? "utf-8").text
        }
        return plain
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = TransferEncoding.hexValue(bytes[index + 1]), let low = TransferEncoding.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }

    private static func skipSpace(_ scalars: [Unicode.Scalar], _ index: inout Int) {
        while index < scalars.count, isSpace(scalars[index]) { index += 1 }
    }

    private static func skipComment(_ scalars: [Unicode.Scalar], _ index: inout Int) {
        var depth = 0
        while index < scalars.count {
            switch scalars[index] {
            case "(": depth += 1
            case ")": depth -= 1
            case "\\": index += 1
            default: break
            }
            index += 1
            if depth == 0 { return }
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (found on UTF-8 bytes).
    public func trimmingSpace() -> String {
        let bytes = utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == bytes.startIndex, bytes.index(after: last) == bytes.endIndex { return self }
        return String(Substring(bytes[first...last]))
    }
}
