import Foundation

extension MailAttachment {
    /// One file as the API takes it (`{"filename", "content_type", "content_base64"}`), for an
    /// email reply or a chat message; the error names the field under `path`.
    public static func read(_ value: JSONValue, path: String) throws(ValidationFailure) -> MailAttachment {
        var reader = try InputReader(value, path: path)
        let filename = reader.string("filename", required: true, maxLength: 255)
        if let filename, filename.containsControlCharacters || filename.contains("/") || filename.contains("\\") {
            reader.fail("filename", "must be a file name without control characters or slashes")
        }
        let contentType = reader.string("content_type", maxLength: 127)?.lowercased() ?? "application/octet-stream"
        if !EmailReply.isMediaType(contentType) { reader.fail("content_type", "\"\(contentType.prefix(64))\" is not a media type such as application/pdf") }
        let encoded = reader.string("content_base64", required: true, maxLength: 40_000_000)
        var content: [UInt8] = []
        if let encoded {
            if let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) { content = Array(data) } else {
                reader.fail("content_base64", "is not base64")
            }
        }
        try reader.finish()
        return MailAttachment(filename: filename, contentType: contentType, contentID: nil, isInline: false, content: content)
    }
}
