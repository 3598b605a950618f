import Foundation

/// Turns the decision scores of the one-vs-rest machines into probabilities: a softmax over the
/// scores divided by a temperature. SVM scores are margins, not probabilities; the temperature is
/// the one value that makes the softmax best predict which label was right on messages the model
/// did not see (least negative log-likelihood), as in Guo et al., "On Calibration of Modern
/// Neural Networks" (2017). The order of labels never changes, only how sure the model says it is.
enum ConfidenceCalibration {
    /// Softmax of `scores / temperature` written into `probabilities`.
    static func probabilities(_ scores: UnsafeBufferPointer<Float>, temperature: Double, into probabilities: inout [Double]) {
        probabilities.removeAll(keepingCapacity: true)
        var largest = -Double.infinity
        for score in scores { largest = max(largest, Double(score)) }
        var sum: Double = 0
        for score in scores {
            let value = exp((Double(score) - largest) / temperature)
            probabilities.append(value)
            sum += value
        }
        for position in probabilities.indices { probabilities[position] /= sum }
    }

    /// The temperature minimising the mean negative log-likelihood of the true labels. `scores`
    /// holds `labelCount` scores per message, row after row.
    static func temperature(scores: [Float], truth: [Int32], labelCount: Int) -> Double {
        guard !truth.isEmpty else { return 1 }
        func loss(_ logTemperature: Double) -> Double {
            let temperature = exp(logTemperature)
            var total: Double = 0
            for (row, label) in truth.enumerated() {
                let base = row * labelCount
                var largest = -Double.infinity
                for position in base..<base + labelCount { largest = max(largest, Double(scores[position])) }
                var sum: Double = 0
                for position in base..<base + labelCount { sum += exp((Double(scores[position]) - largest) / temperature) }
                total += log(sum) - (Double(scores[base + Int(label)]) - largest) / temperature
            }
            return total / Double(truth.count)
        }
        // The loss is convex in 1/T and unimodal in log T: a golden-section search suffices.
        var low = log(0.001), high = log(100.0)
        let ratio = (5.0.squareRoot() - 1) / 2
        var left = high - ratio * (high - low), right = low + ratio * (high - low)
        var leftLoss = loss(left), rightLoss = loss(right)
        for _ in 0..<60 {
            if leftLoss < rightLoss {
                high = right
                right = left
                rightLoss = leftLoss
                left = high - ratio * (high - low)
                leftLoss = loss(left)
            } else {
                low = left
                left = right
                leftLoss = rightLoss
                right = low + ratio * (high - low)
                rightLoss = loss(right)
            }
        }
        return exp((low + high) / 2)
    }
}
