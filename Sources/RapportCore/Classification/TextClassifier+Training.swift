extension TextClassifier {
    /// Trains a model on labelled history. Examples whose text or label is empty (after trimming
    /// spaces) are skipped. The same examples and options give the same model, byte for byte.
    ///
    /// Confidence is calibrated on scores the model gives messages it was not trained on: with
    /// `options.calibrationShare` above zero (the default holds out half), a trial model is fitted
    /// without that share of the examples and scores it, and the temperature that best predicts
    /// the held-out labels is kept; the returned model is then trained on every example. With
    /// zero, or too few examples to hold one out per label, each training message's score is
    /// taken with its own contribution to the separators removed (a leave-one-out estimate that
    /// costs no second training but overstates doubt).
    public static func train(_ examples: [LabelledText], options: ClassifierOptions = .init()) throws(ClassifierError) -> TextClassifier {
        try train(examples, options: options, evaluatingHeldOut: false).model
    }

    /// `train`, and how well a model trained without the held-out share (`options.calibrationShare`)
    /// predicted that share: its accuracy on messages it never saw, the figure an admin judges a new
    /// model by. Nil when there are too few examples to hold one out per label.
    public static func trainEvaluated(_ examples: [LabelledText], options: ClassifierOptions = .init())
        throws(ClassifierError) -> (model: TextClassifier, heldOut: ClassifierEvaluation?) {
        try train(examples, options: options, evaluatingHeldOut: true)
    }

    private static func train(_ examples: [LabelledText], options: ClassifierOptions, evaluatingHeldOut: Bool)
        throws(ClassifierError) -> (model: TextClassifier, heldOut: ClassifierEvaluation?) {
        let options = try options.validated()
        let usable = examples.filter { !isBlank($0.text) && !isBlank($0.label) }
        guard !usable.isEmpty else { throw ClassifierError(.noExamples, "no example has both a text and a label") }
        let labels = Array(Set(usable.map(\.label))).sorted()
        guard labels.count >= 2 else {
            throw ClassifierError(.tooFewLabels, "examples carry \(labels.count) distinct label; at least 2 are needed")
        }
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, Int32($0)) })
        let texts = usable.map(\.text)
        let targets = usable.map { labelIndex[$0.label]! }

        var random = SeededRandom(seed: options.seed)
        var order = Array(usable.indices)
        order.shuffle(using: &random)
        let heldOutCount = Int((Double(usable.count) * options.calibrationShare).rounded())
        let heldOut = order.prefix(heldOutCount).sorted(), kept = order.dropFirst(heldOutCount).sorted()
        if heldOutCount >= labels.count, Set(kept.map { targets[$0] }).count >= 2 {
            let trial = fit(texts: kept.map { texts[$0] }, targets: kept.map { targets[$0] }, labels: labels, options: options,
                            estimateOutOfSample: false)
            var scores: [Float] = []
            for row in heldOut { scores.append(contentsOf: trial.model.scores(texts[row])) }
            let temperature = ConfidenceCalibration.temperature(scores: scores, truth: heldOut.map { targets[$0] },
                                                                labelCount: labels.count)
            let evaluation = evaluatingHeldOut
                ? trial.model.with(temperature: temperature).evaluate(heldOut.map { usable[$0] })
                : nil
            let model = fit(texts: texts, targets: targets, labels: labels, options: options, estimateOutOfSample: false).model
                .with(temperature: temperature)
            return (model, evaluation)
        }
        let (model, outOfSample) = fit(texts: texts, targets: targets, labels: labels, options: options, estimateOutOfSample: true)
        let temperature = ConfidenceCalibration.temperature(scores: outOfSample, truth: targets, labelCount: labels.count)
        return (model.with(temperature: temperature), nil)
    }

    private static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    private func with(temperature: Double) -> TextClassifier {
        TextClassifier(labels: labels, options: options, temperature: temperature, exampleCount: exampleCount,
                       features: features, weights: weights, biases: biases)
    }

    /// The decision scores of every label for `text`.
    func scores(_ text: String) -> [Float] {
        var scratch = FeatureWeighting.Scratch()
        var indices: [Int32] = [], values: [Float] = [], scores: [Float] = []
        self.scores(text, scratch: &scratch, indices: &indices, values: &values, scores: &scores)
        return scores
    }

    /// A model fitted to the texts, and (when asked) the leave-one-out estimate of its scores on
    /// them, row after row: a row's score minus what its own dual variable added to each separator.
    private static func fit(texts: [String], targets: [Int32], labels: [String], options: ClassifierOptions,
                            estimateOutOfSample: Bool) -> (model: TextClassifier, outOfSample: [Float]) {
        let hashing = NGramHashing(wordNGrams: options.wordNGrams, characterNGrams: options.characterNGrams)
        let features = FeatureWeighting.fitted(to: texts, hashing: hashing, wordWeight: options.wordWeight,
                                               minimumFrequency: options.minimumDocumentFrequency)
        var rows = SparseRows()
        var scratch = FeatureWeighting.Scratch()
        var indices: [Int32] = [], values: [Float] = []
        for text in texts {
            features.encode(text, scratch: &scratch, indices: &indices, values: &values)
            rows.append(columns: indices, values: values)
        }
        let columnCount = features.vocabulary.count, labelCount = labels.count
        let matrix = rows
        // Each label's messages weigh as much in total as any other label's when `balancedLabels` is set.
        var perLabel = [Int](repeating: 0, count: labelCount)
        for target in targets { perLabel[Int(target)] += 1 }
        let costs = perLabel.map { count in
            options.balancedLabels && count > 0 ? options.regularization * Double(targets.count) / Double(labelCount * count)
                : options.regularization
        }
        let separators = ParallelWork.map(labelCount) { label in
            LinearSVM.separator(rows: matrix, targets: targets, positive: Int32(label), columnCount: columnCount,
                                costs: costs, maximumEpochs: options.maximumEpochs,
                                tolerance: options.tolerance, seed: options.seed &+ UInt64(label))
        }
        var weights = [Float](repeating: 0, count: columnCount * labelCount)
        for (label, separator) in separators.enumerated() {
            for column in 0..<columnCount {
                weights[column * labelCount + label] = separator.weights[column]
            }
        }
        let model = TextClassifier(labels: labels, options: options, temperature: 1, exampleCount: texts.count,
                                   features: features, weights: weights, biases: separators.map(\.bias))
        guard estimateOutOfSample else { return (model, []) }
        var outOfSample = [Float](repeating: 0, count: texts.count * labelCount)
        for row in 0..<texts.count {
            var selfProduct = Float(LinearSVM.biasFeature * LinearSVM.biasFeature)
            var score = model.biases
            for position in rows.starts[row]..<rows.starts[row + 1] {
                let column = Int(rows.columns[position]), value = rows.values[position]
                selfProduct += value * value
                for label in 0..<labelCount { score[label] += value * weights[column * labelCount + label] }
            }
            for label in 0..<labelCount {
                let sign: Float = targets[row] == Int32(label) ? 1 : -1
                outOfSample[row * labelCount + label] = score[label] - sign * separators[label].alphas[row] * selfProduct
            }
        }
        return (model, outOfSample)
    }
}
