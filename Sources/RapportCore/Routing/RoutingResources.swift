/// Finds the keyword sets in a text: keyword set name → hits with offsets.
public protocol KeywordFinding: Sendable {
    func hits(in text: String) -> [String: [KeywordHit]]
}

/// Predicts the department or intent of a text.
public protocol ContentPredicting: Sendable {
    func predict(_ text: String) -> RoutingPrediction
}

/// What routing decides with, loaded from the store and swapped as a whole when any part changes.
public struct RoutingResources: Sendable {
    public var rules: RuleBook
    public var settings: RoutingSettings
    public var keywords: (any KeywordFinding)?
    public var classifier: (any ContentPredicting)?

    public init(rules: RuleBook = RuleBook(rules: []), settings: RoutingSettings = RoutingSettings(),
                keywords: (any KeywordFinding)? = nil, classifier: (any ContentPredicting)? = nil) {
        self.rules = rules
        self.settings = settings
        self.keywords = keywords
        self.classifier = classifier
    }

    /// Fills in what content analysis gives a context: keyword hits, the prediction, business hours.
    public func analyse(_ context: inout RoutingContext, at time: Timestamp) {
        let text = context.text
        if !text.isEmpty {
            if let keywords { context.keywordHits = keywords.hits(in: text) }
            if let classifier, settings.classifierEnabled { context.prediction = classifier.predict(text) }
        }
        context.withinBusinessHours = settings.businessHours?.contains(time)
    }
}
