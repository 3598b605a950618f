/// Keyword set definitions checked and turned into automaton patterns: normalized, trimmed,
/// deduplicated within each set, or the problems that prevent it.
struct KeywordSetCompilation {
    /// At most this many problems are reported.
    static let maxProblems = 100
    /// The most normalized UTF-8 bytes of all terms together.
    static let maxTotalBytes = 1 << 30

    var problems: [KeywordSetError.Problem] = []
    /// Normalized UTF-8 of each distinct term.
    var patterns: [[UInt8]] = []
    /// What each pattern reports.
    var entries: [KeywordAutomaton.Entry] = []
    /// Each pattern's term as written.
    var terms: [String] = []

    init(sets: [KeywordSetDefinition]) {
        var firstWithName: [String: Int] = [:]
        var totalBytes = 0
        for (setIndex, set) in sets.enumerated() {
            let path = "sets[\(setIndex)]"
            if !Self.isValidName(set.name) {
                add(path + ".name", .invalidName, "a set name is 1 to 64 of a-z, 0-9, '_', '.' and '-', not \(Self.quoted(set.name))")
            } else if let first = firstWithName[set.name] {
                add(path + ".name", .duplicateName, "the set name \(Self.quoted(set.name)) is already used by sets[\(first)]")
            } else {
                firstWithName[set.name] = setIndex
            }
            guard set.terms.count <= KeywordMatcher.maxTermsPerSet else {
                add(path + ".terms", .tooManyTerms, "a set has at most \(KeywordMatcher.maxTermsPerSet) terms, not \(set.terms.count)")
                continue
            }
            var seen = Set<[UInt8]>()
            for (termIndex, term) in set.terms.enumerated() {
                let termPath = "\(path).terms[\(termIndex)]"
                if term.isEmpty {
                    add(termPath, .emptyTerm, "a term must not be empty")
                    continue
                }
                let length = term.unicodeScalars.count
                if length > KeywordMatcher.maxTermLength {
                    add(termPath, .termTooLong, "a term has at most \(KeywordMatcher.maxTermLength) characters, not \(length)")
                    continue
                }
                let normalized = Self.normalizedTerm(term)
                guard normalized.contains(where: { !Self.isBlank($0) }) else {
                    add(termPath, .blankTerm, "the term \(Self.quoted(term)) has no letters, digits or symbols")
                    continue
                }
                let bytes = Array(String(String.UnicodeScalarView(normalized)).utf8)
                guard problems.isEmpty, seen.insert(bytes).inserted else { continue }
                let wholeWords = set.wholeWords
                patterns.append(bytes)
                terms.append(term)
                entries.append(KeywordAutomaton.Entry(
                    set: Int32(setIndex), term: Int32(termIndex), length: Int32(bytes.count),
                    checkBefore: wholeWords && KeywordWordBoundary.isWord(normalized.first!.value),
                    checkAfter: wholeWords && KeywordWordBoundary.isWord(normalized.last!.value)))
                totalBytes += bytes.count
            }
        }
        // Automaton states are numbered in 31 bits; real sets are far below this.
        if totalBytes > Self.maxTotalBytes {
            add("sets", .tooManyTerms, "all sets together have at most \(Self.maxTotalBytes) bytes of terms, not \(totalBytes)")
        }
    }

    /// The normalized scalars of a term, without leading and trailing white space.
    static func normalizedTerm(_ term: String) -> ArraySlice<Unicode.Scalar> {
        let scalars = KeywordNormalizer().normalize(term).scalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return [] }
        return scalars[first...last]
    }

    /// White space and punctuation: what a term must not consist of alone.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation, .control, .format:
            return true
        default:
            return false
        }
    }

    /// `[a-z0-9_.-]{1,64}`.
    static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        return (1...64).contains(utf8.count) && utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
    }

    /// `text` in double quotes for a message: at most 40 characters, control characters and quotes escaped.
    static func quoted(_ text: String) -> String {
        let limit = 40
        var shown = String(text.unicodeScalars.prefix(limit))
        if text.unicodeScalars.count > limit { shown += "…" }
        return shown.debugDescription
    }

    private mutating func add(_ path: String, _ code: KeywordSetError.Code, _ message: String) {
        guard problems.count < Self.maxProblems else { return }
        problems.append(KeywordSetError.Problem(path: path, code: code, message: message))
    }
}
