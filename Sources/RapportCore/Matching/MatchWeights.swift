import Foundation

/// A model's weights laid out for scoring: the prior, log2(m / u) per field and grade in one
/// flat table, and log2(m) of exact agreement for term-frequency weights. Computed once per
/// finder, not per pair or per lookup.
struct MatchWeights: Sendable {
    let priorWeight: Double
    /// log2(m / u) of field f, grade g at `table[firstWeight[f] + g]`.
    let table: [Double]
    let firstWeight: [Int]
    let exactLogM: [Double]

    init(model: MatchModel) {
        var table: [Double] = []
        var firstWeight: [Int] = []
        for field in model.fields.indices {
            firstWeight.append(table.count)
            table.append(contentsOf: model.weights(field))
        }
        priorWeight = model.priorWeight
        self.table = table
        self.firstWeight = firstWeight
        exactLogM = model.fields.indices.map { log2(model.m($0)[0]) }
    }
}
