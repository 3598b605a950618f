/// A named list of terms (a keyword set), such as `refund_requests` or `competitors`, that rules
/// match interaction text against.
public struct KeywordSetDefinition: Sendable, Hashable, Codable {
    /// The set's name: 1 to 64 of `a`–`z`, `0`–`9`, `_`, `.` and `-`.
    public var name: String
    /// The terms; each is normalized like the text (see `KeywordNormalizer`). Terms that
    /// normalize alike are one term, reported with the first spelling.
    public var terms: [String]
    /// Whether a term must stand as a whole word: `card` then does not match inside `cardboard`.
    /// Only letters, marks and digits outside Chinese, Japanese and Korean count as word
    /// characters, so CJK terms always match as substrings.
    public var wholeWords: Bool

    /// Creates a keyword set.
    public init(name: String, terms: [String], wholeWords: Bool = false) {
        self.name = name
        self.terms = terms
        self.wholeWords = wholeWords
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case terms
        case wholeWords = "whole_words"
    }

    /// Decodes a set; `whole_words` may be left out and defaults to false.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        terms = try container.decode([String].self, forKey: .terms)
        wholeWords = try container.decodeIfPresent(Bool.self, forKey: .wholeWords) ?? false
    }
}
