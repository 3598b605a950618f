import Foundation

/// The Fellegi–Sunter parameters of a profile: how likely two random records are the same
/// customer (λ), and for every field and grade how likely that grade is between records of the
/// same customer (m) and of different customers (u). Estimated without labels, refined with them.
public struct MatchModel: Sendable, Equatable {
    /// λ: the probability that two records drawn at random are the same customer.
    public var matchProbability: Double
    public var fields: [FieldModel]
    /// How many labelled pairs the estimated m and u count as when labels are folded in.
    public var estimateStrength: Double

    public init(matchProbability: Double, fields: [FieldModel], estimateStrength: Double = 100) {
        self.matchProbability = matchProbability
        self.fields = fields
        self.estimateStrength = estimateStrength
    }

    /// A starting model for `profile` before any data is seen: agreement likely among
    /// matches, unlikely among others.
    public init(defaultsFor profile: MatchProfile) {
        self.init(matchProbability: 1e-4, fields: profile.fields.map(FieldModel.init(defaultsFor:)))
    }

    /// log2(λ / (1 − λ)): the weight of a pair before any field is compared.
    public var priorWeight: Double {
        MatchWeight.weight(ofProbability: matchProbability)
    }

    /// The m probabilities of a field with labels folded in.
    public func m(_ field: Int) -> [Double] {
        Self.blend(fields[field].estimatedM, counts: fields[field].confirmed, strength: estimateStrength)
    }

    /// The u probabilities of a field with labels folded in.
    public func u(_ field: Int) -> [Double] {
        Self.blend(fields[field].estimatedU, counts: fields[field].rejected, strength: estimateStrength)
    }

    /// log2(m / u) of every grade of a field.
    public func weights(_ field: Int) -> [Double] {
        zip(m(field), u(field)).map { log2($0 / $1) }
    }

    /// Why this model cannot score pairs for `profile`; empty when it can.
    public func problems(with profile: MatchProfile) -> [String] {
        guard fields.count == profile.fields.count else {
            return ["the model has \(fields.count) fields, the profile \(profile.fields.count)"]
        }
        var problems: [String] = []
        for (model, field) in zip(fields, profile.fields) {
            let grades = (0..<field.comparator.gradeCount).map(field.comparator.gradeName)
            if model.name != field.name || model.grades != grades {
                problems.append("field \(field.name) has other levels in the model than in the profile")
            }
        }
        if !(matchProbability > 0 && matchProbability < 1) { problems.append("λ lies strictly between 0 and 1") }
        return problems
    }

    private static func blend(_ estimate: [Double], counts: [Double], strength: Double) -> [Double] {
        let labelled = counts.reduce(0, +)
        guard labelled > 0 else { return estimate }
        return zip(estimate, counts).map { (strength * $0 + $1) / (strength + labelled) }
    }
}

/// The parameters of one field: per grade (its levels, then "else"), m and u as estimated, and
/// the labelled pairs seen at that grade.
public struct FieldModel: Sendable, Equatable {
    public var name: String
    /// The level codes of the field's comparator, then `else`.
    public var grades: [String]
    public var estimatedM: [Double]
    public var estimatedU: [Double]
    /// Confirmed duplicate pairs per grade.
    public var confirmed: [Double]
    /// Rejected candidate pairs per grade.
    public var rejected: [Double]

    public init(name: String, grades: [String], estimatedM: [Double], estimatedU: [Double],
                confirmed: [Double]? = nil, rejected: [Double]? = nil) {
        self.name = name
        self.grades = grades
        self.estimatedM = estimatedM
        self.estimatedU = estimatedU
        self.confirmed = confirmed ?? grades.map { _ in 0 }
        self.rejected = rejected ?? grades.map { _ in 0 }
    }

    /// Defaults that rank grades in order: m falls and u rises from the best grade to "else".
    public init(defaultsFor field: MatchField) {
        let count = field.comparator.gradeCount
        var m = (0..<count).map { Double(count - $0) }
        m[count - 1] = 0.5
        var u = (0..<count).map { pow(4, Double($0)) }
        u[count - 1] = u.reduce(0, +) * 20
        self.init(name: field.name, grades: (0..<count).map(field.comparator.gradeName),
                  estimatedM: Self.normalized(m), estimatedU: Self.normalized(u))
    }

    static func normalized(_ values: [Double]) -> [Double] {
        let total = values.reduce(0, +)
        return total > 0 ? values.map { $0 / total } : values.map { _ in 1 / Double(max(values.count, 1)) }
    }
}
