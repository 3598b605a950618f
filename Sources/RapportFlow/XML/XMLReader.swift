/// Reads an XML 1.0 document into a tree of `XMLElementNode`s with namespaces resolved.
///
/// Well-formedness is checked (matching tags, one root, unique attributes, declared prefixes,
/// known entities). A document type declaration is refused: BPMN needs none, and entities declared
/// there are how XML bombs and external-entity reads work.
public struct XMLReader {
    /// The deepest element nesting accepted.
    public static let maxDepth = 256

    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    private var lineStart = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses `text` as one XML document.
    public static func parse(_ text: String) throws(XMLSyntaxError) -> XMLElementNode {
        var reader = XMLReader(text)
        return try reader.document()
    }

    private static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
    private static let xmlnsNamespace = "http://www.w3.org/2000/xmlns/"

    private mutating func document() throws(XMLSyntaxError) -> XMLElementNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        try misc()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "<") else {
            throw failure("the document has no root element")
        }
        let root = try element(scopes: [["xml": Self.xmlNamespace]], depth: 1)
        try misc()
        if position < bytes.count { throw failure("content after the root element") }
        return root
    }

    /// Skips whitespace, comments, processing instructions and the XML declaration outside the root.
    private mutating func misc() throws(XMLSyntaxError) {
        while true {
            skipWhitespace()
            if starts(with: "<?") {
                try skip(past: "?>", what: "processing instruction")
            } else if starts(with: "<!--") {
                try comment()
            } else if starts(with: "<!DOCTYPE") {
                throw failure("a document type declaration (<!DOCTYPE …>) is not accepted")
            } else {
                return
            }
        }
    }

    private mutating func element(scopes: [[String: String]], depth: Int) throws(XMLSyntaxError) -> XMLElementNode {
        guard depth <= Self.maxDepth else { throw failure("elements are nested deeper than \(Self.maxDepth)") }
        let startLine = line
        position += 1  // <
        let name = try self.name()
        var rawAttributes: [(name: String, value: String, line: Int, column: Int)] = []
        var selfClosing = false
        while true {
            let hadSpace = skipWhitespace()
            guard position < bytes.count else { throw failure("the tag <\(name)> is not closed") }
            if bytes[position] == UInt8(ascii: ">") {
                position += 1
                break
            }
            if starts(with: "/>") {
                position += 2
                selfClosing = true
                break
            }
            guard hadSpace else { throw failure("expected whitespace before an attribute in <\(name)>") }
            let attributeLine = line, attributeColumn = column
            let attributeName = try self.name()
            skipWhitespace()
            try expect(UInt8(ascii: "="), "'=' after the attribute \(attributeName)")
            skipWhitespace()
            let value = try attributeValue()
            if rawAttributes.contains(where: { $0.name == attributeName }) {
                throw XMLSyntaxError(line: attributeLine, column: attributeColumn, message: "the attribute \(attributeName) appears twice in <\(name)>")
            }
            rawAttributes.append((attributeName, value, attributeLine, attributeColumn))
        }

        var scope = scopes.last ?? [:]
        for attribute in rawAttributes {
            if attribute.name == "xmlns" {
                scope[""] = attribute.value.isEmpty ? nil : attribute.value
            } else if attribute.name.hasPrefix("xmlns:") {
                let prefix = String(attribute.name.dropFirst(6))
                guard !attribute.value.isEmpty else {
                    throw XMLSyntaxError(line: attribute.line, column: attribute.column, message: "the prefix \(prefix) is bound to an empty namespace")
                }
                scope[prefix] = attribute.value
            }
        }
        let (namespace, localName) = try resolve(name, in: scope, isAttribute: false, line: startLine)
        var attributes: [XMLAttribute] = []
        for attribute in rawAttributes {
            let (attributeNamespace, attributeLocal): (String?, String)
            if attribute.name == "xmlns" || attribute.name.hasPrefix("xmlns:") {
                (attributeNamespace, attributeLocal) = (Self.xmlnsNamespace, attribute.name == "xmlns" ? "xmlns" : String(attribute.name.dropFirst(6)))
            } else {
                (attributeNamespace, attributeLocal) = try resolve(attribute.name, in: scope, isAttribute: true, line: attribute.line)
            }
            if attributes.contains(where: { $0.namespace == attributeNamespace && $0.localName == attributeLocal }) {
                throw XMLSyntaxError(line: attribute.line, column: attribute.column, message: "the attribute \(attribute.name) repeats another in <\(name)>")
            }
            attributes.append(XMLAttribute(namespace: attributeNamespace, localName: attributeLocal, qualifiedName: attribute.name, value: attribute.value))
        }

        var node = XMLElementNode(namespace: namespace, localName: localName, qualifiedName: name, attributes: attributes,
                                  children: [], text: "", line: startLine)
        if selfClosing { return node }
        let innerScopes = scopes + [scope]
        var text: [UInt8] = []
        while true {
            guard position < bytes.count else { throw failure("the element <\(name)> is not closed") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") {
                if starts(with: "</") {
                    position += 2
                    let closing = try self.name()
                    guard closing == name else { throw failure("</\(closing)> closes <\(name)> (line \(startLine))") }
                    skipWhitespace()
                    try expect(UInt8(ascii: ">"), "'>' to end </\(closing)>")
                    node.text = String(decoding: text, as: UTF8.self)
                    return node
                } else if starts(with: "<!--") {
                    try comment()
                } else if starts(with: "<![CDATA[") {
                    position += 9
                    guard let end = find("]]>") else { throw failure("a CDATA section is not closed") }
                    advanceCountingLines(to: end)
                    text.append(contentsOf: bytes[position..<end])
                    position = end + 3
                } else if starts(with: "<?") {
                    try skip(past: "?>", what: "processing instruction")
                } else if starts(with: "<!") {
                    throw failure("unexpected markup declaration inside <\(name)>")
                } else {
                    node.children.append(try element(scopes: innerScopes, depth: depth + 1))
                }
            } else if byte == UInt8(ascii: "&") {
                try reference(into: &text)
            } else {
                if starts(with: "]]>") { throw failure("']]>' is not allowed in text") }
                consumeCountingLines(into: &text)
            }
        }
    }

    private func resolve(_ name: String, in scope: [String: String], isAttribute: Bool, line: Int) throws(XMLSyntaxError) -> (String?, String) {
        guard let colon = name.firstIndex(of: ":") else {
            return (isAttribute ? nil : scope[""], name)
        }
        let prefix = String(name[..<colon])
        let local = String(name[name.index(after: colon)...])
        guard !local.isEmpty, !local.contains(":") else {
            throw XMLSyntaxError(line: line, column: 1, message: "\(name) is not a valid qualified name")
        }
        guard let namespace = scope[prefix] else {
            throw XMLSyntaxError(line: line, column: 1, message: "the prefix \(prefix) of \(name) is not declared")
        }
        return (namespace, local)
    }

    private mutating func attributeValue() throws(XMLSyntaxError) -> String {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") else {
            throw failure("an attribute value must be quoted")
        }
        let quote = bytes[position]
        position += 1
        var value: [UInt8] = []
        while true {
            guard position < bytes.count else { throw failure("an attribute value is not closed") }
            let byte = bytes[position]
            if byte == quote {
                position += 1
                return String(decoding: value, as: UTF8.self)
            }
            switch byte {
            case UInt8(ascii: "<"):
                throw failure("'<' is not allowed in an attribute value")
            case UInt8(ascii: "&"):
                try reference(into: &value)
            case 0x0A:
                newLine(at: position)
                value.append(0x20)
                position += 1
            case 0x09, 0x0D:
                value.append(0x20)
                position += 1
            default:
                value.append(byte)
                position += 1
            }
        }
    }

    /// Replaces `&name;` or `&#…;` at the current position.
    private mutating func reference(into output: inout [UInt8]) throws(XMLSyntaxError) {
        let start = position
        guard let end = bytes[position...].prefix(40).firstIndex(of: UInt8(ascii: ";")) else {
            throw failure("'&' must start an entity reference such as &amp;")
        }
        let body = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        position = end + 1
        switch body {
        case "lt": output.append(UInt8(ascii: "<"))
        case "gt": output.append(UInt8(ascii: ">"))
        case "amp": output.append(UInt8(ascii: "&"))
        case "quot": output.append(UInt8(ascii: "\""))
        case "apos": output.append(UInt8(ascii: "'"))
        default:
            let scalarValue: UInt32?
            if body.hasPrefix("#x") {
                scalarValue = UInt32(body.dropFirst(2), radix: 16)
            } else if body.hasPrefix("#") {
                scalarValue = UInt32(body.dropFirst(1), radix: 10)
            } else {
                position = start
                throw failure("the entity &\(body); is not defined")
            }
            guard let scalarValue, scalarValue != 0, let scalar = Unicode.Scalar(scalarValue) else {
                position = start
                throw failure("&\(body); is not a valid character reference")
            }
            output.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }

    private mutating func comment() throws(XMLSyntaxError) {
        position += 4
        guard let end = find("-->") else { throw failure("a comment is not closed") }
        advanceCountingLines(to: end)
        position = end + 3
    }

    private mutating func skip(past terminator: String, what: String) throws(XMLSyntaxError) {
        guard let end = find(terminator) else { throw failure("a \(what) is not closed") }
        advanceCountingLines(to: end)
        position = end + terminator.utf8.count
    }

    private mutating func name() throws(XMLSyntaxError) -> String {
        let start = position
        while position < bytes.count, Self.isNameByte(bytes[position], first: position == start) { position += 1 }
        guard position > start else { throw failure("expected a name") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// ASCII name characters plus every non-ASCII byte (names in other scripts are allowed).
    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), UInt8(ascii: ":"), 0x80...0xFF:
            return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return !first
        default:
            return false
        }
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case 0x0A:
                newLine(at: position)
                position += 1
            case 0x20, 0x09, 0x0D:
                position += 1
            default:
                return position > start
            }
        }
        return position > start
    }

    /// Appends text bytes up to the next markup or reference.
    private mutating func consumeCountingLines(into text: inout [UInt8]) {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") || (byte == UInt8(ascii: "]") && starts(with: "]]>")) { return }
            if byte == 0x0A { newLine(at: position) }
            if byte != 0x0D { text.append(byte) } else if position + 1 >= bytes.count || bytes[position + 1] != 0x0A { text.append(0x0A) }
            position += 1
        }
    }

    private mutating func advanceCountingLines(to end: Int) {
        var index = position
        while index < end {
            if bytes[index] == 0x0A { newLine(at: index) }
            index += 1
        }
    }

    private mutating func newLine(at index: Int) {
        line += 1
        lineStart = index + 1
    }

    private var column: Int { position - lineStart + 1 }

    private func starts(with literal: String) -> Bool {
        let utf8 = literal.utf8
        guard position + utf8.count <= bytes.count else { return false }
        return bytes[position..<(position + utf8.count)].elementsEqual(utf8)
    }

    private func find(_ literal: String) -> Int? {
        let pattern = Array(literal.utf8)
        guard bytes.count >= pattern.count else { return nil }
        var index = position
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(XMLSyntaxError) {
        guard position < bytes.count, bytes[position] == byte else { throw failure("expected \(what)") }
        position += 1
    }

    private func failure(_ message: String) -> XMLSyntaxError {
        XMLSyntaxError(line: line, column: column, message: message)
    }
}
