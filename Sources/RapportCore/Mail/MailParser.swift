/// Reads a raw message (RFC 5322 with MIME, RFC 2045-2049) into a `MailMessage`. Pure and
/// total: any input gives a message; what was wrong with it is in `problems`.
public struct MailParser: Sendable {
    /// Multiparts nested deeper than this are not opened.
    public var maxDepth: Int
    /// Parts after this many are not read.
    public var maxParts: Int

    public init(maxDepth: Int = 32, maxParts: Int = 1_000) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
    }

    public func parse(_ raw: [UInt8]) -> MailMessage {
        var walk = Walk(parser: self)
        let top = MailHeaderParser.parse(raw[...])
        walk.problems += top.problems
        if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) { walk.problems.append(.empty) }
        if raw.contains(0) { walk.problems.append(.nulBytes) }
        var body = Collected()
        walk.entity(headers: top.headers, body: top.body, depth: 0, into: &body)
        let headers = top.headers

        let text: String
        if let plain = body.plain {
            text = plain
        } else if let html = body.html {
            text = HTMLText.text(html)
        } else {
            text = ""
        }
        let subject = headers["Subject"].map { EncodedWords.decode($0).trimmingSpace() }
        let report = walk.deliveryStatus.map { DeliveryReport.parse($0, returnedHeaders: walk.returnedHeaders) }
        return MailMessage(
            headers: headers,
            subject: subject,
            from: headers["From"].flatMap { MailAddress.list($0).first } ?? headers["Sender"].flatMap { MailAddress.list($0).first },
            to: headers.all("To").flatMap(MailAddress.list),
            cc: headers.all("Cc").flatMap(MailAddress.list),
            replyTo: headers.all("Reply-To").flatMap(MailAddress.list),
            date: headers["Date"].flatMap(MailDate.parse),
            messageID: MessageIDs.first(headers["Message-ID"]),
            inReplyTo: MessageIDs.first(headers["In-Reply-To"]),
            references: headers["References"].map(MessageIDs.list) ?? [],
            text: text,
            html: body.html,
            reply: ReplyText.split(text),
            attachments: body.attachments,
            isAutoReply: AutoReply.isAutomatic(headers: headers, subject: subject),
            deliveryReport: report,
            problems: Array(Set(walk.problems)).sorted { $0.rawValue < $1.rawValue })
    }

    /// What the walk over one entity (and its parts) yields.
    struct Collected {
        var plain: String?
        var html: String?
        var attachments: [MailAttachment] = []

        var hasBody: Bool { plain != nil || html != nil }
    }

    struct Walk {
        let parser: MailParser
        var problems: [MailProblem] = []
        var parts = 0
        var deliveryStatus: ArraySlice<UInt8>?
        var returnedHeaders: MailHeaders?

        mutating func entity(headers: MailHeaders, body: ArraySlice<UInt8>, depth: Int, into collected: inout Collected,
                             defaultType: String = "text/plain") {
            parts += 1
            if parts > parser.maxParts {
                problems.append(.tooManyParts)
                return
            }
            var contentType = headers["Content-Type"].map(MIMEHeaderValue.parse) ?? MIMEHeaderValue(value: defaultType)
            if !contentType.value.contains("/") { contentType.value = defaultType }
            let disposition = headers["Content-Disposition"].map(MIMEHeaderValue.parse)
            let isAttachment = disposition?.value == "attachment"

            if contentType.value.hasPrefix("multipart/") {
                guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
                    problems.append(.missingBoundary)
                    leaf(headers: headers, contentType: MIMEHeaderValue(value: "text/plain", parameters: contentType.parameters),
                         disposition: disposition, body: body, into: &collected)
                    return
                }
                guard depth < parser.maxDepth else {
                    problems.append(.tooDeep)
                    return
                }
                let split = MultipartBody.split(body, boundary: boundary)
                if !split.closed { problems.append(.missingClosingBoundary) }
                if split.parts.isEmpty {
                    problems.append(.noParts)
                    return
                }
                multipart(subtype: String(contentType.value.dropFirst("multipart/".count)), parameters: contentType.parameters,
                          parts: split.parts, depth: depth, into: &collected)
                return
            }
            if depth > 0, contentType.value == "message/delivery-status" {
                deliveryStatus = decodedBody(headers: headers, body: body)[...]
                return
            }
            if depth > 0, contentType.value == "message/rfc822-headers" || contentType.value == "text/rfc822-headers" {
                returnedHeaders = MailHeaderParser.parse(decodedBody(headers: headers, body: body)[...]).headers
                attach(headers: headers, contentType: contentType, disposition: disposition, body: body, into: &collected)
                return
            }
            if depth > 0, contentType.value == "message/rfc822" || contentType.value == "message/global" {
                if returnedHeaders == nil, deliveryStatus != nil {
                    returnedHeaders = MailHeaderParser.parse(decodedBody(headers: headers, body: body)[...]).headers
                }
                attach(headers: headers, contentType: contentType, disposition: disposition, body: body, into: &collected)
                return
            }
            if !isAttachment, !collected.hasBody, contentType.value == "text/plain" || contentType.value == "text/html" {
                leaf(headers: headers, contentType: contentType, disposition: disposition, body: body, into: &collected)
                return
            }
            attach(headers: headers, contentType: contentType, disposition: disposition, body: body, into: &collected)
        }

        private mutating func multipart(subtype: String, parameters: [String: String], parts: [ArraySlice<UInt8>], depth: Int,
                                        into collected: inout Collected) {
            let defaultType = subtype == "digest" ? "message/rfc822" : "text/plain"
            switch subtype {
            case "alternative":
                // Each alternative on its own; the plain text wins for `text`, the HTML is kept.
                var choices: [Collected] = []
                for part in parts {
                    let parsed = MailHeaderParser.parse(part)
                    var choice = Collected()
                    entity(headers: parsed.headers, body: parsed.body, depth: depth + 1, into: &choice, defaultType: defaultType)
                    choices.append(choice)
                }
                if !collected.hasBody {
                    collected.plain = choices.lazy.compactMap(\.plain).first
                    collected.html = choices.lazy.compactMap(\.html).last
                    for choice in choices { collected.attachments += choice.attachments }
                } else {
                    // A second body in a mixed message: its parts are attachments.
                    for choice in choices { collected.attachments += choice.attachments }
                }
            default:
                // mixed, related, report, signed, digest and unknown subtypes: the first body found
                // is the body; every other part is an attachment.
                for part in parts {
                    let parsed = MailHeaderParser.parse(part)
                    entity(headers: parsed.headers, body: parsed.body, depth: depth + 1, into: &collected, defaultType: defaultType)
                }
            }
        }

        private mutating func leaf(headers: MailHeaders, contentType: MIMEHeaderValue, disposition: MIMEHeaderValue?,
                                   body: ArraySlice<UInt8>, into collected: inout Collected) {
            var bytes = decodedBody(headers: headers, body: body)
            let label = contentType.parameters["charset"]
            // CR LF to LF on the bytes, where CR and LF are single bytes (all but UTF-16 and -32).
            if !(label?.lowercased().hasPrefix("utf-16") ?? false), !(label?.lowercased().hasPrefix("utf-32") ?? false) {
                bytes = Self.withoutCarriageReturns(bytes)
            }
            if let label, !label.isEmpty, !MailCharset.isKnown(label) { problems.append(.unknownCharset) }
            let decoded = MailCharset.decode(bytes, label: label)
            if decoded.fellBack { problems.append(.charsetFallback) }
            var text = decoded.text.normalizingLineBreaks()
            if text.utf8.contains(0) { text = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\0" })) }
            if contentType.value == "text/html" {
                collected.html = text
            } else {
                if contentType.parameters["format"]?.lowercased() == "flowed" {
                    text = FlowedText.unflow(text, deleteSpace: contentType.parameters["delsp"]?.lowercased() == "yes")
                }
                collected.plain = text
            }
        }

        /// The bytes without the CR of each CR LF.
        static func withoutCarriageReturns(_ bytes: [UInt8]) -> [UInt8] {
            guard bytes.contains(0x0D) else { return bytes }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            for index in bytes.indices where !(bytes[index] == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) {
                output.append(bytes[index])
            }
            return output
        }

        private mutating func attach(headers: MailHeaders, contentType: MIMEHeaderValue, disposition: MIMEHeaderValue?,
                                     body: ArraySlice<UInt8>, into collected: inout Collected) {
            var filename = disposition?.parameters["filename"] ?? contentType.parameters["name"]
            if let name = filename, name.containsUTF8("=?") { filename = EncodedWords.decode(name) }
            if filename == nil, contentType.value == "message/rfc822" {
                let inner = MailHeaderParser.parse(body)
                if let subject = inner.headers["Subject"].map(EncodedWords.decode)?.trimmingSpace(), !subject.isEmpty {
                    filename = subject + ".eml"
                }
            }
            let contentID = headers["Content-ID"].flatMap { MessageIDs.list($0).first ?? $0.trimmingSpace() }
            collected.attachments.append(MailAttachment(
                filename: filename.map { $0.trimmingSpace() }.flatMap { $0.isEmpty ? nil : $0 },
                contentType: contentType.value, contentID: contentID,
                isInline: disposition?.value == "inline" || (disposition == nil && contentID != nil),
                content: decodedBody(headers: headers, body: body)))
        }

        private mutating func decodedBody(headers: MailHeaders, body: ArraySlice<UInt8>) -> [UInt8] {
            let encoding = headers["Content-Transfer-Encoding"].map { $0.trimmingSpace().lowercased() } ?? "7bit"
            let decoded = TransferEncoding.decode(body, encoding: encoding)
            if decoded.damaged { problems.append(.damagedBase64) }
            return decoded.bytes
        }
    }
}

/// Splits a multipart body at its boundary delimiters (RFC 2046 §5.1.1).
enum MultipartBody {
    /// The parts between delimiters (without the line break before each delimiter), and whether
    /// the closing delimiter was found. Preamble and epilogue are dropped.
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> (parts: [ArraySlice<UInt8>], closed: Bool) {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        let end = body.endIndex
        while lineStart < end {
            let newline = body[lineStart...].firstIndex(of: 0x0A)
            let lineEnd = newline ?? end
            if lineEnd - lineStart >= delimiter.count, body[lineStart] == 0x2D, body[lineStart..<(lineStart + delimiter.count)].elementsEqual(delimiter) {
                var rest = lineStart + delimiter.count
                let closing = rest + 1 < lineEnd && body[rest] == 0x2D && body[rest + 1] == 0x2D
                if closing { rest += 2 }
                // Only transport padding may follow a delimiter; otherwise it is a longer boundary.
                if body[rest..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let start = partStart {
                        var partEnd = lineStart
                        if partEnd > start, body[partEnd - 1] == 0x0A { partEnd -= 1 }
                        if partEnd > start, body[partEnd - 1] == 0x0D { partEnd -= 1 }
                        parts.append(body[start..<max(start, partEnd)])
                    }
                    if closing { return (parts, true) }
                    partStart = newline.map { $0 + 1 } ?? end
                }
            }
            lineStart = newline.map { $0 + 1 } ?? end
        }
        if let start = partStart { parts.append(body[start..<end]) }
        return (parts, false)
    }
}

/// RFC 3676 `format=flowed`: lines ending in a space continue on the next line.
enum FlowedText {
    static func unflow(_ text: String, deleteSpace: Bool) -> String {
        var output: [String] = []
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(line)
            if line.hasPrefix(" ") { line.removeFirst() }  // space-stuffing
            let flowed = line.hasSuffix(" ") && line != "-- "
            if flowed, deleteSpace { line.removeLast() }
            current = (current ?? "") + line
            if !flowed {
                output.append(current!)
                current = nil
            }
        }
        if let current { output.append(current) }
        return output.joined(separator: "\n")
    }
}

extension String {
    /// Whether `needle` occurs in this string, compared as UTF-8 bytes (no Foundation, no locale).
    func containsUTF8(_ needle: String) -> Bool {
        let haystack = Array(utf8), pattern = Array(needle.utf8)
        guard let first = pattern.first, haystack.count >= pattern.count else { return pattern.isEmpty }
        var index = 0
        while index + pattern.count <= haystack.count {
            if haystack[index] == first, haystack[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }

    /// CRLF and lone CR as LF.
    func normalizingLineBreaks() -> String {
        guard utf8.contains(0x0D) else { return self }
        return replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    }
}
