/// A rule that makes two records a candidate pair when all its keys are equal, so that the
/// finder compares likely pairs instead of all pairs. A profile's rules are joined as a union:
/// a pair that several rules find is still compared once.
public struct BlockingRule: Sendable, Hashable {
    public var keys: [BlockingKey]

    public init(_ keys: [BlockingKey]) {
        self.keys = keys
    }

    /// A rule whose keys are the whole normalized values of `sources`.
    public static func on(_ sources: FieldSource...) -> BlockingRule {
        BlockingRule(sources.map { BlockingKey($0) })
    }

    /// A readable form such as `family_name+address.postal_code`.
    public var description: String {
        keys.map(\.description).joined(separator: "+")
    }
}

/// One part of a blocking rule: a value derived from one or more sources of a record.
public struct BlockingKey: Sendable, Hashable {
    /// The sources whose values are joined with a space; records with several values (emails)
    /// get one key for each combination.
    public var sources: [FieldSource]
    public var normalization: ValueNormalization
    public var transform: BlockingTransform

    public init(_ source: FieldSource, transform: BlockingTransform = .whole, normalization: ValueNormalization? = nil) {
        self.init([source], transform: transform, normalization: normalization)
    }

    public init(_ sources: [FieldSource], transform: BlockingTransform = .whole, normalization: ValueNormalization? = nil) {
        self.sources = sources
        self.transform = transform
        self.normalization = normalization ?? sources.first?.naturalNormalization ?? .text
    }

    /// A readable form such as `prefix(3):family_name`.
    public var description: String {
        let paths = sources.map(\.path).joined(separator: ",")
        return transform == .whole ? paths : "\(transform.code):\(paths)"
    }
}

/// How a blocking key is derived from the joined, normalized value.
public enum BlockingTransform: Sendable, Hashable {
    /// The value itself.
    case whole
    /// The first characters of the value.
    case prefix(Int)
    /// The words sorted, so that "Lopez Ana" and "Ana Lopez" share a key.
    case sortedWords
    /// The characters sorted, so that numbers with swapped digits (1804974, 1809474) share a key.
    case sortedCharacters

    /// The stored name, e.g. `prefix(3)`.
    public var code: String {
        switch self {
        case .whole: "whole"
        case .prefix(let count): "prefix(\(count))"
        case .sortedWords: "sorted_words"
        case .sortedCharacters: "sorted_characters"
        }
    }

    /// The transform that `code` names, or nil when it names none.
    public init?(code: String) {
        switch code {
        case "whole": self = .whole
        case "sorted_words": self = .sortedWords
        case "sorted_characters": self = .sortedCharacters
        default:
            guard code.hasPrefix("prefix("), code.hasSuffix(")"),
                  let count = Int(code.dropFirst("prefix(".count).dropLast()), count > 0 else { return nil }
            self = .prefix(count)
        }
    }

    /// The key for a joined value, or nil when nothing is left.
    func apply(_ value: String) -> String? {
        let result: String
        switch self {
        case .whole:
            result = value
        case .prefix(let count):
            result = String(String.UnicodeScalarView(value.unicodeScalars.prefix(count)))
        case .sortedWords:
            result = value.split(separator: " ").sorted().joined(separator: " ")
        case .sortedCharacters:
            result = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != " " }.sorted { $0.value < $1.value }))
        }
        return result.isEmpty ? nil : result
    }
}
