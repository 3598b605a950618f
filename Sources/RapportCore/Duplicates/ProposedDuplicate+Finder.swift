extension ProposedDuplicate {
    /// A pair the finder scored, with why it scored so (each field's part) and its grades, which
    /// refine the model once someone accepts or rejects the pair.
    public init(_ pair: ScoredPair, finder: DuplicateFinder, index: MatchIndex) {
        var object = JSONObject()
        if let explanation = finder.explanation(between: pair.firstID, and: pair.secondID, in: index) {
            object["prior_weight"] = .double(explanation.priorWeight)
            object["fields"] = .array(explanation.fields.map { field in
                ["field": .string(field.field), "grade": field.grade.map(JSONValue.string) ?? .null,
                 "weight": .double(field.weight), "term_frequency_adjusted": .bool(field.termFrequencyAdjusted)]
            })
        }
        object["grades"] = .array(pair.comparison.grades.map { $0.map { .integer(Int64($0)) } ?? .null })
        self.init(pair.firstID, pair.secondID, probability: pair.probability, weight: pair.weight, explanation: .object(object))
    }
}
