/// The grade of every field for one pair of records: the level each field reached, or
/// nothing when a value was missing on either side.
public struct ComparisonVector: Sendable, Hashable {
    /// Four bits per field; `0xF` marks a missing value.
    let packed: UInt64
    /// How many fields the vector grades.
    public let fieldCount: Int

    static let missing: UInt64 = 0xF

    init(packed: UInt64, fieldCount: Int) {
        self.packed = packed
        self.fieldCount = fieldCount
    }

    /// A vector from grades (0 = the best level, nil = missing), e.g. to label a pair by hand.
    public init(grades: [Int?]) {
        var packed: UInt64 = 0
        for (field, grade) in grades.enumerated() {
            let nibble = grade.map { UInt64(min(max($0, 0), 14)) } ?? Self.missing
            packed |= nibble << (4 * UInt64(field))
        }
        self.init(packed: packed, fieldCount: grades.count)
    }

    /// The grade of `field`, or nil when either record had no value.
    public subscript(field: Int) -> Int? {
        Self.grade(packed, field)
    }

    /// All grades in field order.
    public var grades: [Int?] {
        (0..<fieldCount).map { self[$0] }
    }

    @inline(__always)
    static func grade(_ packed: UInt64, _ field: Int) -> Int? {
        let nibble = (packed >> (4 * UInt64(field))) & 0xF
        return nibble == missing ? nil : Int(nibble)
    }
}
