/// How a `TextClassifier` turns text into features and fits its weights. The defaults are the
/// recipe measured on banking77 (`scripts/bench/classifier_bench.py`: accuracy 0.922 where
/// scikit-learn's word + character TF-IDF LinearSVC baseline scores 0.914); change them only
/// with a measurement.
public struct ClassifierOptions: Sendable, Hashable, Codable {
    /// Shortest and longest word sequences used as features (1...3: words, pairs and triples).
    public var wordNGrams: ClosedRange<Int>
    /// Shortest and longest character sequences, taken inside each space-separated chunk padded
    /// with a space at both ends. Text without spaces (Chinese, Japanese) is one chunk, so these
    /// features need no tokenizer.
    public var characterNGrams: ClosedRange<Int>
    /// Weight of the word features against the character features (each group has unit length
    /// before this weight is applied, and the whole vector is normalised after).
    public var wordWeight: Double
    /// Features seen in fewer training messages than this are dropped.
    public var minimumDocumentFrequency: Int
    /// Inverse regularisation strength of the linear SVM: larger fits the training data closer.
    public var regularization: Double
    /// Weighs each label's examples so that every label counts as much in total, however often it
    /// occurs in the history (scikit-learn's `class_weight="balanced"`).
    public var balancedLabels: Bool
    /// Passes over the training data per label at most.
    public var maximumEpochs: Int
    /// The solver stops when the largest projected-gradient spread falls below this.
    public var tolerance: Double
    /// Share of the training data held out to fit the confidence temperature: a trial model is
    /// trained on the rest and scores it; the returned model is then trained on all data. Zero
    /// (or too little data to hold out one message per label) estimates it from leave-one-out
    /// corrected training scores instead, which is cheaper but less confident than it should be.
    public var calibrationShare: Double
    /// Predictions less confident than this are flagged for the triage queue.
    public var triageThreshold: Double
    /// Seeds the shuffling; the same seed and data give byte-identical models.
    public var seed: UInt64

    public init(wordNGrams: ClosedRange<Int> = 1...3, characterNGrams: ClosedRange<Int> = 1...4, wordWeight: Double = 0.7,
                minimumDocumentFrequency: Int = 1, regularization: Double = 2, balancedLabels: Bool = true, maximumEpochs: Int = 200,
                tolerance: Double = 0.3, calibrationShare: Double = 0.5, triageThreshold: Double = 0.5, seed: UInt64 = 42) {
        self.wordNGrams = wordNGrams
        self.characterNGrams = characterNGrams
        self.wordWeight = wordWeight
        self.minimumDocumentFrequency = minimumDocumentFrequency
        self.regularization = regularization
        self.balancedLabels = balancedLabels
        self.maximumEpochs = maximumEpochs
        self.tolerance = tolerance
        self.calibrationShare = calibrationShare
        self.triageThreshold = triageThreshold
        self.seed = seed
    }

    func validated() throws(ClassifierError) -> ClassifierOptions {
        func check(_ condition: Bool, _ message: String) throws(ClassifierError) {
            if !condition { throw ClassifierError(.invalidOptions, message) }
        }
        try check(wordNGrams.lowerBound >= 0 && wordNGrams.upperBound <= 8, "word n-grams must lie within 0...8 (0 disables them)")
        try check(characterNGrams.lowerBound >= 0 && characterNGrams.upperBound <= 8,
                  "character n-grams must lie within 0...8 (0 disables them)")
        try check(wordNGrams.upperBound > 0 || characterNGrams.upperBound > 0, "at least one kind of n-gram is needed")
        try check(wordWeight.isFinite && wordWeight > 0, "word weight must be positive")
        try check(minimumDocumentFrequency >= 1, "minimum document frequency must be at least 1")
        try check(regularization.isFinite && regularization > 0, "regularization must be positive")
        try check(maximumEpochs >= 1, "at least one epoch is needed")
        try check(tolerance.isFinite && tolerance > 0, "tolerance must be positive")
        try check(calibrationShare >= 0 && calibrationShare < 1, "calibration share must lie in 0..<1")
        try check(triageThreshold >= 0 && triageThreshold <= 1, "triage threshold must lie in 0...1")
        return self
    }
}
