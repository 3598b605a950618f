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
    /// `precomputed` is the analysis of the same text made earlier (outside a transaction).
    public func analyse(_ context: inout RoutingContext, at time: Timestamp, precomputed: ContentAnalysis? = nil) {
        let analysis = precomputed ?? analyse(text: context.text)
        context.keywordHits = analysis.keywordHits
        context.prediction = analysis.prediction
        context.withinBusinessHours = settings.businessHours?.contains(time)
    }

    /// Keyword hits and the prediction for a text.
    public func analyse(text: String) -> ContentAnalysis {
        guard !text.isEmpty else { return ContentAnalysis() }
        var analysis = ContentAnalysis()
        if let keywords { analysis.keywordHits = keywords.hits(in: text) }
        if let classifier, settings.classifierEnabled { analysis.prediction = classifier.predict(text) }
        return analysis
    }
}

/// What the content of a message says, independent of the store: keyword hits and the prediction.
public struct ContentAnalysis: Sendable {
    public var keywordHits: [String: [KeywordHit]] = [:]
    public var prediction: RoutingPrediction?

    public init(keywordHits: [String: [KeywordHit]] = [:], prediction: RoutingPrediction? = nil) {
        self.keywordHits = keywordHits
        self.prediction = prediction
    }
}
