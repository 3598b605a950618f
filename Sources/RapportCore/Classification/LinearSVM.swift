/// Fits one-vs-rest linear support vector machines by dual coordinate descent (Hsieh et al.,
/// "A Dual Coordinate Descent Method for Large-scale Linear SVM", ICML 2008), with shrinking:
/// L2-regularised squared-hinge loss, and a bias learned as the weight of a constant feature.
enum LinearSVM {
    /// One label's separator: a weight per column and a bias.
    struct Separator: Sendable {
        var weights: [Float]
        var bias: Float
        /// The dual variable of each row: how much the row itself pushed the separator.
        var alphas: [Float]
    }

    /// The constant feature value standing in for the bias (as liblinear's `-B 1`).
    static let biasFeature: Double = 1

    /// Separates the rows whose target is `positive` from all others.
    static func separator(rows: SparseRows, targets: [Int32], positive: Int32, columnCount: Int, costs: [Double],
                          maximumEpochs: Int, tolerance: Double, seed: UInt64) -> Separator {
        let count = rows.count
        var weights = [Float](repeating: 0, count: columnCount)
        var bias: Double = 0
        guard count > 0 else { return Separator(weights: [Float](repeating: 0, count: columnCount), bias: 0, alphas: []) }
        // Squared hinge: the dual gains a diagonal 1/(2C) and no upper bound on alpha.
        let diagonals = targets.map { 0.5 / costs[Int($0)] }
        var alpha = [Double](repeating: 0, count: count)
        var order = Array(0..<count)
        var random = SeededRandom(seed: seed)
        var curvature = [Double](repeating: 0, count: count)
        rows.values.withUnsafeBufferPointer { values in
            for row in 0..<count {
                var squares = diagonals[row] + biasFeature * biasFeature
                for position in rows.starts[row]..<rows.starts[row + 1] {
                    squares += Double(values[position]) * Double(values[position])
                }
                curvature[row] = squares
            }
        }
        var active = count
        var previousMaximum = Double.infinity
        rows.columns.withUnsafeBufferPointer { columns in
            rows.values.withUnsafeBufferPointer { values in
                rows.starts.withUnsafeBufferPointer { starts in
                    targets.withUnsafeBufferPointer { targets in
                        weights.withUnsafeMutableBufferPointer { weights in
                            alpha.withUnsafeMutableBufferPointer { alpha in
                                order.withUnsafeMutableBufferPointer { order in
                                    var epoch = 0
                                    while epoch < maximumEpochs {
                                        epoch += 1
                                        var maximum = -Double.infinity, minimum = Double.infinity
                                        if active > 1 {
                                            for position in stride(from: active - 1, to: 0, by: -1) {
                                                order.swapAt(position, Int(random.next() % UInt64(position + 1)))
                                            }
                                        }
                                        var step = 0
                                        while step < active {
                                            let row = order[step]
                                            let label: Double = targets[row] == positive ? 1 : -1
                                            let start = starts[row], end = starts[row + 1]
                                            var dot: Float = 0
                                            for position in start..<end {
                                                dot += weights[Int(columns[position])] * values[position]
                                            }
                                            let score = bias * biasFeature + Double(dot)
                                            let gradient = label * score - 1 + diagonals[row] * alpha[row]
                                            var projected = gradient
                                            if alpha[row] == 0 {
                                                if gradient > previousMaximum {
                                                    // Far on the right side and at the bound: leave it out until the check.
                                                    active -= 1
                                                    order.swapAt(step, active)
                                                    continue
                                                }
                                                if gradient > 0 { projected = 0 }
                                            }
                                            maximum = max(maximum, projected)
                                            minimum = min(minimum, projected)
                                            if abs(projected) > 1e-12 {
                                                let old = alpha[row]
                                                alpha[row] = max(old - gradient / curvature[row], 0)
                                                let change = (alpha[row] - old) * label
                                                for position in start..<end {
                                                    weights[Int(columns[position])] += Float(change) * values[position]
                                                }
                                                bias += change * biasFeature
                                            }
                                            step += 1
                                        }
                                        if maximum - minimum <= tolerance {
                                            if active == count { break }
                                            // Converged on the shrunk problem: check every row once more.
                                            active = count
                                            previousMaximum = .infinity
                                            continue
                                        }
                                        previousMaximum = maximum <= 0 ? .infinity : maximum
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Separator(weights: weights, bias: Float(bias), alphas: alpha.map { Float($0) })
    }
}
