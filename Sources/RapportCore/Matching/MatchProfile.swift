/// What the duplicate finder compares, how it finds candidate pairs, and where it draws lines:
/// the configuration of matching for one CRM.
public struct MatchProfile: Sendable, Hashable {
    public var fields: [MatchField]
    /// Candidate pairs are the union of the pairs each rule finds.
    public var blockingRules: [BlockingRule]
    public var thresholds: MatchThresholds
    public var pairing: MatchPairing
    /// Blocks with more records than this are too common a key to be worth comparing all
    /// pairs in ("John Smith"); their pairs are left to the other rules. Nil compares every block.
    public var maximumBlockSize: Int?

    /// The most fields a profile may compare.
    public static let maximumFields = 16
    /// The most blocking rules a profile may have.
    public static let maximumBlockingRules = 64

    public init(fields: [MatchField], blockingRules: [BlockingRule], thresholds: MatchThresholds,
                pairing: MatchPairing = .deduplicate, maximumBlockSize: Int? = nil) {
        self.fields = fields
        self.blockingRules = blockingRules
        self.thresholds = thresholds
        self.pairing = pairing
        self.maximumBlockSize = maximumBlockSize
    }

    /// Everything that makes this profile unusable, as readable sentences; empty when it is valid.
    public var problems: [String] {
        var problems: [String] = []
        if fields.isEmpty { problems.append("a profile needs at least one field") }
        if fields.count > Self.maximumFields { problems.append("a profile compares at most \(Self.maximumFields) fields") }
        if Set(fields.map(\.name)).count != fields.count { problems.append("field names must be unique") }
        for field in fields {
            if field.comparator.levels.count > FieldComparator.maximumLevels {
                problems.append("field \(field.name) has more than \(FieldComparator.maximumLevels) levels")
            }
            for level in field.comparator.levels {
                switch level {
                case .jaroWinkler(let threshold) where !(0...1).contains(threshold):
                    problems.append("field \(field.name): a Jaro–Winkler threshold lies between 0 and 1")
                case .damerauLevenshtein(let distance) where distance < 0:
                    problems.append("field \(field.name): an edit distance is not negative")
                default:
                    break
                }
            }
        }
        if blockingRules.isEmpty { problems.append("a profile needs at least one blocking rule") }
        if blockingRules.count > Self.maximumBlockingRules {
            problems.append("a profile has at most \(Self.maximumBlockingRules) blocking rules")
        }
        for rule in blockingRules {
            if rule.keys.isEmpty || rule.keys.contains(where: { $0.sources.isEmpty }) {
                problems.append("blocking rule \(rule.description) needs at least one key with a source")
            }
            if rule.keys.contains(where: { if case .prefix(let count) = $0.transform { count < 1 } else { false } }) {
                problems.append("blocking rule \(rule.description): a prefix keeps at least one character")
            }
        }
        let review = thresholds.review
        let autoMerge = thresholds.autoMerge
        if !(review > 0 && review < 1 && autoMerge > 0 && autoMerge <= 1 && review <= autoMerge) {
            problems.append("thresholds are probabilities with 0 < review <= auto-merge <= 1")
        }
        if let size = maximumBlockSize, size < 2 { problems.append("the maximum block size is at least 2") }
        return problems
    }
}

/// Which pairs of records are candidates at all.
public enum MatchPairing: String, Sendable, Hashable {
    /// Any two records: find duplicates within one collection.
    case deduplicate
    /// Only records from different sources: link one collection with another.
    case link
}

/// Why a profile or a stored model cannot be used.
public struct MatchConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        "invalid match configuration: " + problems.joined(separator: "; ")
    }
}
