/// Why keyword sets could not be compiled: every problem found, each naming the offending field.
public struct KeywordSetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's name, e.g. `empty_term`.
        public let name: String

        /// A set name is not 1 to 64 of `a`–`z`, `0`–`9`, `_`, `.` and `-`.
        public static let invalidName = Code(name: "invalid_name")
        /// Two sets have the same name.
        public static let duplicateName = Code(name: "duplicate_name")
        /// A set has more terms than `KeywordMatcher.maxTermsPerSet` (or all sets together
        /// have more than a gigabyte of terms).
        public static let tooManyTerms = Code(name: "too_many_terms")
        /// A term is the empty string.
        public static let emptyTerm = Code(name: "empty_term")
        /// A term normalizes to nothing but spaces and punctuation.
        public static let blankTerm = Code(name: "blank_term")
        /// A term is longer than `KeywordMatcher.maxTermLength` scalars.
        public static let termTooLong = Code(name: "term_too_long")

        /// The code's name.
        public var description: String { name }
    }

    /// One thing wrong with the input.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The field, e.g. `sets[0].terms[3]` or `sets[2].name`.
        public var path: String
        /// The machine-readable reason.
        public var code: Code
        /// Human readable and safe to show to API clients.
        public var message: String

        /// Creates a problem.
        public init(path: String, code: Code, message: String) {
            self.path = path
            self.code = code
            self.message = message
        }

        /// `path: message`.
        public var description: String { "\(path): \(message)" }
    }

    /// The problems, in the order of the input.
    public var problems: [Problem]

    /// Creates an error from its problems.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// The problems, one per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
