/// Something wrong with a message's form. The message is still kept and read as far as it goes;
/// structural problems make it `malformed`, the rest are notes on how it was read.
public enum MailProblem: String, Sendable, Equatable, CaseIterable {
    case empty = "empty"
    case headerLineWithoutName = "header_line_without_name"
    case missingHeaderSeparator = "missing_header_separator"
    case headerSectionTooLong = "header_section_too_long"
    case missingBoundary = "multipart_without_boundary"
    case missingClosingBoundary = "multipart_without_closing_boundary"
    case noParts = "multipart_without_parts"
    case tooDeep = "parts_nested_too_deep"
    case tooManyParts = "too_many_parts"
    case damagedBase64 = "damaged_base64"
    case charsetFallback = "charset_fallback"
    case unknownCharset = "unknown_charset"
    case nulBytes = "nul_bytes"

    /// Whether the message's structure is broken (not only mislabelled).
    public var isStructural: Bool {
        switch self {
        case .charsetFallback, .unknownCharset: false
        default: true
        }
    }
}
