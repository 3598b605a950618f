/// One header field as it arrived, unfolded: the name as written and the value as text (UTF-8
/// when the bytes are valid UTF-8, as RFC 6532 allows; Windows-1252 otherwise). Encoded words
/// are not decoded here: which parts of a value may hold them depends on the field.
public struct MailHeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A header section: fields in order, looked up case-insensitively.
public struct MailHeaders: Sendable, Equatable {
    public var fields: [MailHeaderField]

    public init(fields: [MailHeaderField] = []) {
        self.fields = fields
    }

    /// The first field named `name` (any case).
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public func all(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name.caseInsensitiveEquals(name) }
    }
}

/// Splits an entity (a message or a body part) into its header fields and its body.
enum MailHeaderParser {
    struct Result {
        var headers: MailHeaders
        var body: ArraySlice<UInt8>
        /// Lines that were not header fields, or no blank line before the body.
        var problems: [MailProblem]
    }

    /// Longest header section read; a larger one is cut and reported.
    static let maxHeaderBytes = 1 << 20

    static func parse(_ entity: ArraySlice<UInt8>) -> Result {
        var fields: [MailHeaderField] = []
        var problems: [MailProblem] = []
        var index = entity.startIndex
        let end = entity.endIndex
        var current: (name: ArraySlice<UInt8>, value: [UInt8])?

        func finishField() {
            guard let field = current else { return }
            fields.append(MailHeaderField(name: String(decoding: field.name, as: UTF8.self), value: headerText(field.value)))
            current = nil
        }

        // An mbox "From " line before the headers is not a header.
        if entity.starts(with: "From ".utf8) {
            index = lineEnd(entity, from: index).next
        }
        var bodyStart = end
        while index < end {
            let line = lineEnd(entity, from: index)
            let content = entity[index..<line.contentEnd]
            if content.isEmpty {
                bodyStart = line.next
                break
            }
            if index - entity.startIndex > maxHeaderBytes {
                problems.append(.headerSectionTooLong)
                bodyStart = index
                break
            }
            let first = content.first!
            if first == 0x20 || first == 0x09 {
                if current != nil {
                    current!.value += content
                } else {
                    problems.append(.headerLineWithoutName)
                }
            } else if let colon = content.firstIndex(of: UInt8(ascii: ":")), colon > content.startIndex,
                      content[content.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                finishField()
                var valueStart = colon + 1
                while valueStart < content.endIndex, content[valueStart] == 0x20 || content[valueStart] == 0x09 { valueStart += 1 }
                current = (content[content.startIndex..<colon], Array(content[valueStart...]))
            } else if fields.isEmpty, current == nil, !looksLikeHeaderSection(entity[index...]) {
                // No headers at all: the entity is all body (a part without headers).
                bodyStart = index
                problems.append(.missingHeaderSeparator)
                break
            } else {
                problems.append(.headerLineWithoutName)
            }
            index = line.next
        }
        finishField()
        if index >= end, bodyStart == end, !fields.isEmpty, entity.last != 0x0A {
            // Headers running to the end of the input without the blank line that ends them.
            problems.append(.missingHeaderSeparator)
        }
        return Result(headers: MailHeaders(fields: fields), body: entity[bodyStart..<end], problems: problems)
    }

    /// Whether a colon-headed line comes soon: tells a stray line among headers from a body.
    private static func looksLikeHeaderSection(_ rest: ArraySlice<UInt8>) -> Bool {
        var index = rest.startIndex
        for _ in 0..<3 {
            guard index < rest.endIndex else { return false }
            let line = lineEnd(rest, from: index)
            let content = rest[index..<line.contentEnd]
            if let colon = content.firstIndex(of: UInt8(ascii: ":")), colon > content.startIndex,
               content[content.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return true }
            index = line.next
        }
        return false
    }

    /// Where the line starting at `start` ends (before CRLF or LF) and where the next begins.
    static func lineEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> (contentEnd: Int, next: Int) {
        guard let newline = bytes[start...].firstIndex(of: 0x0A) else { return (bytes.endIndex, bytes.endIndex) }
        let contentEnd = newline > start && bytes[newline - 1] == 0x0D ? newline - 1 : newline
        return (contentEnd, newline + 1)
    }

    /// A header value's bytes as text: UTF-8 when valid (RFC 6532), Windows-1252 otherwise.
    static func headerText(_ bytes: [UInt8]) -> String {
        MailCharset.decode(bytes, label: "utf-8").text
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = utf8, right = other.utf8
        guard left.count == right.count else { return false }
        for (a, b) in zip(left, right) where a != b {
            let lowerA = a >= 0x41 && a <= 0x5A ? a | 0x20 : a
            let lowerB = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if lowerA != lowerB { return false }
        }
        return true
    }
}
