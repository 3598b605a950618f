import Foundation

/// How often one comparison vector occurred among candidate pairs, and which blocking rules
/// paired those records.
struct ComparisonPattern: Sendable {
    let vector: UInt64
    let rules: UInt64
    var count: Double
}

/// Fellegi–Sunter expectation–maximization with u held fixed: finds the m probabilities and
/// the share of matches λ that best explain a set of comparison patterns. Fields marked
/// inactive (those the patterns were blocked on, whose agreement says nothing here) are left out.
struct ExpectationMaximization {
    let u: [[Double]]
    let active: [Bool]
    let maximumIterations: Int
    let tolerance: Double

    struct Outcome {
        var m: [[Double]]
        var lambda: Double
        /// The probability that the pairs of each pattern are matches.
        var posteriors: [Double]
        /// Per field, the expected matches with a value on both sides: how much the field's m rests on.
        var evidence: [Double]
    }

    /// The smallest m a grade keeps, so that no grade forbids a match outright.
    static let smallestM = 1e-5

    func run(_ patterns: [ComparisonPattern], m startM: [[Double]], lambda startLambda: Double) -> Outcome {
        var m = startM
        var lambda = startLambda
        var posteriors = [Double](repeating: 0, count: patterns.count)
        var evidence = [Double](repeating: 0, count: u.count)
        let fields = u.indices.filter { active[$0] }
        for _ in 0..<maximumIterations {
            // Expectation: the match probability of each pattern under the current parameters.
            let logPrior = log(lambda) - log(1 - lambda)
            for (position, pattern) in patterns.enumerated() {
                var logOdds = logPrior
                for field in fields {
                    guard let grade = ComparisonVector.grade(pattern.vector, field) else { continue }
                    logOdds += log(m[field][grade]) - log(u[field][grade])
                }
                posteriors[position] = 1 / (1 + exp(-min(max(logOdds, -700), 700)))
            }
            // Maximization: m and λ from the expected matches.
            var matched = 0.0
            var total = 0.0
            var gradeMass = m.map { [Double](repeating: 0, count: $0.count) }
            for (position, pattern) in patterns.enumerated() {
                let mass = posteriors[position] * pattern.count
                matched += mass
                total += pattern.count
                for field in fields {
                    if let grade = ComparisonVector.grade(pattern.vector, field) { gradeMass[field][grade] += mass }
                }
            }
            var change = 0.0
            for field in fields {
                let sum = gradeMass[field].reduce(0, +)
                evidence[field] = sum
                guard sum > 0 else { continue }
                let next = Self.floored(gradeMass[field].map { $0 / sum }, at: Self.smallestM)
                for grade in next.indices { change = max(change, abs(next[grade] - m[field][grade])) }
                m[field] = next
            }
            let nextLambda = min(max(matched / max(total, 1), 1e-9), 1 - 1e-9)
            change = max(change, abs(nextLambda - lambda))
            lambda = nextLambda
            if change < tolerance { break }
        }
        return Outcome(m: m, lambda: lambda, posteriors: posteriors, evidence: evidence)
    }

    /// Probabilities raised to at least `floor` and scaled back to a sum of one.
    static func floored(_ values: [Double], at floor: Double) -> [Double] {
        let raised = values.map { max($0, floor) }
        let total = raised.reduce(0, +)
        return raised.map { $0 / total }
    }
}
