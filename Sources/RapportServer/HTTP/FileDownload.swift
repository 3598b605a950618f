import HTTPTypes
import Foundation

/// How a stored file (an email's attachment, a file sent in the chat) is handed out: always as a
/// download, never as a page of this origin.
enum FileDownload {
    /// Types a browser would render as a page or run as script are sent as plain bytes.
    static func safeType(_ type: String) -> String {
        let lowered = type.lowercased()
        let allowed = lowered.hasPrefix("image/") && !lowered.contains("svg") || lowered == "application/pdf" || lowered == "text/plain"
            || lowered.hasPrefix("audio/") || lowered.hasPrefix("video/") || lowered == "text/csv" || lowered == "message/rfc822"
        return allowed ? lowered : "application/octet-stream"
    }

    static func headers(filename: String) -> HTTPFields {
        var fields = HTTPFields()
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        let encoded = filename.utf8.map { byte -> String in
            let safe = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x2D || byte == 0x5F
            return safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
        fields[.contentDisposition] = "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        fields[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        return fields
    }
}
