/// One attribute that two records are compared on, with the comparator that grades it.
public struct MatchField: Sendable, Hashable {
    /// The name shown in explanations and stored with a model, e.g. `family_name`.
    public var name: String
    public var source: FieldSource
    public var comparator: FieldComparator
    public var normalization: ValueNormalization
    /// Whether an exact agreement weighs by how rare the shared value is (a shared "Smith"
    /// says less than a shared "Okonkwo") instead of by the field's average.
    public var termFrequency: Bool

    /// - Parameter normalization: defaults to dates for date comparators and otherwise to the
    ///   source's own (emails, phones, text).
    public init(_ name: String, source: FieldSource, comparator: FieldComparator,
                normalization: ValueNormalization? = nil, termFrequency: Bool = false) {
        self.name = name
        self.source = source
        self.comparator = comparator
        let comparesDates = comparator.levels.contains { $0 == .dayMonthSwapped || $0 == .sameYearAndMonth }
        self.normalization = normalization ?? (comparesDates ? .date : source.naturalNormalization)
        self.termFrequency = termFrequency
    }
}
