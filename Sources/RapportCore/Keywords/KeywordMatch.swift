/// One occurrence of a keyword-set term in a text.
public struct KeywordMatch: Sendable, Hashable {
    /// The name of the set the term belongs to.
    public var set: String
    /// The term as it was written in the set (its first spelling, when several normalize alike).
    public var term: String
    /// Where the occurrence starts in the original text, in Unicode scalars (as Python's `str` indexes).
    public var start: Int
    /// Where the occurrence ends (exclusive) in the original text, in Unicode scalars.
    public var end: Int

    /// Creates a match.
    public init(set: String, term: String, start: Int, end: Int) {
        self.set = set
        self.term = term
        self.start = start
        self.end = end
    }
}
