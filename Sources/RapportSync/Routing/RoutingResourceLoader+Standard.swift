import RapportCore
import RapportStore

extension RoutingResourceLoader {
    /// Every stored keyword set compiled into one matcher, and the newest classifier model.
    public static let standard = RoutingResourceLoader(
        keywords: { routing in
            let sets = try await routing.keywordSets()
            guard !sets.isEmpty else { return nil }
            return try KeywordMatcher(sets: sets.map { KeywordSetDefinition(name: $0.name, terms: $0.terms, wholeWords: $0.wholeWords) })
        },
        classifier: { routing in
            guard let model = try await ClassifierTraining.latest(in: routing) else { return (nil, nil) }
            return (model, model.version)
        })
}
