/// Everything a rule can look at for one routing run.
public struct RoutingContext: Sendable {
    public var trigger: RoutingTrigger
    /// The interaction that arrived (for `customer.changed` and `conversation.changed`, the
    /// conversation's latest one when known).
    public var interaction: Interaction?
    public var conversation: Conversation?
    /// The customer's record as the API shows it.
    public var customer: JSONValue
    /// The channel the interaction came through: `id`, `kind`, `name`.
    public var channel: JSONValue
    public var channelKind: String?
    public var prediction: RoutingPrediction?
    /// Keyword set name → the matches in the interaction's subject and body.
    public var keywordHits: [String: [KeywordHit]]
    /// Whether `now` falls within business hours (nil when none are configured).
    public var withinBusinessHours: Bool?

    public init(trigger: RoutingTrigger, interaction: Interaction?, conversation: Conversation?, customer: JSONValue = .null,
                channel: JSONValue = .null, channelKind: String? = nil, prediction: RoutingPrediction? = nil,
                keywordHits: [String: [KeywordHit]] = [:], withinBusinessHours: Bool? = nil) {
        self.trigger = trigger
        self.interaction = interaction
        self.conversation = conversation
        self.customer = customer
        self.channel = channel
        self.channelKind = channelKind
        self.prediction = prediction
        self.keywordHits = keywordHits
        self.withinBusinessHours = withinBusinessHours
    }

    /// The variables rule expressions are checked against.
    public static let environment = ExpressionEnvironment([
        .init("trigger", .string),
        .init("interaction", .dyn),
        .init("conversation", .dyn),
        .init("customer", .dyn),
        .init("channel", .dyn),
        .init("prediction", .dyn),
        .init("keywords", .dyn),
    ])

    /// The text content and keyword matching look at: the subject and body of the interaction.
    public var text: String {
        [interaction?.subject, interaction?.body].compactMap { $0 }.joined(separator: "\n")
    }

    /// Values for expression evaluation.
    public var activation: VariableActivation {
        var keywords = JSONObject()
        for (name, hits) in keywordHits { keywords[name] = .array(hits.map { .string($0.term) }) }
        return VariableActivation([
            "trigger": .string(trigger.rawValue),
            "interaction": interaction?.json ?? .null,
            "conversation": conversation?.json ?? .null,
            "customer": customer,
            "channel": channel,
            "prediction": prediction?.json ?? ["label": .null, "confidence": .double(0), "model_version": .null],
            "keywords": .object(keywords),
        ])
    }
}

/// What the classifier said about the text.
public struct RoutingPrediction: Sendable, Equatable {
    public var label: String
    public var confidence: Double
    public var modelVersion: Int64
    /// Runner-up labels with their confidence.
    public var alternatives: [(label: String, confidence: Double)]

    public init(label: String, confidence: Double, modelVersion: Int64, alternatives: [(label: String, confidence: Double)] = []) {
        self.label = label
        self.confidence = confidence
        self.modelVersion = modelVersion
        self.alternatives = alternatives
    }

    public static func == (lhs: RoutingPrediction, rhs: RoutingPrediction) -> Bool {
        lhs.label == rhs.label && lhs.confidence == rhs.confidence && lhs.modelVersion == rhs.modelVersion
            && lhs.alternatives.map(\.label) == rhs.alternatives.map(\.label)
    }

    public var json: JSONValue {
        [
            "label": .string(label), "confidence": .double(confidence), "model_version": .integer(modelVersion),
            "alternatives": .array(alternatives.map { ["label": .string($0.label), "confidence": .double($0.confidence)] }),
        ]
    }
}

/// One keyword found in the text: the term, and where (Unicode scalar offsets, end exclusive).
public struct KeywordHit: Sendable, Equatable {
    public var term: String
    public var start: Int
    public var end: Int

    public init(term: String, start: Int, end: Int) {
        self.term = term
        self.start = start
        self.end = end
    }

    public var json: JSONValue {
        ["term": .string(term), "start": .integer(Int64(start)), "end": .integer(Int64(end))]
    }
}
