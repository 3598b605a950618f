extension TextClassifier {
    /// The first bytes of every stored classifier: "RPTC" (Rapport text classifier).
    static let magic: [UInt8] = Array("RPTC".utf8)
    /// The format version `encoded()` writes; `init(encoded:)` reads this and older versions.
    public static let formatVersion: UInt16 = 1

    /// The model as compact bytes for the store: a header (magic, format version), the options,
    /// the temperature, the labels, the n-gram hashes with their IDF, the biases and the weights
    /// as 32-bit floats, all little-endian, closed by a checksum of everything before it.
    public func encoded() -> [UInt8] {
        var writer = ModelBytesWriter()
        writer.reserve(64 + labels.count * 32 + featureCount * 12 + weights.count * 4)
        writer.write(UInt32(0))
        writer.write(Self.formatVersion)
        writer.write(UInt8(options.wordNGrams.lowerBound))
        writer.write(UInt8(options.wordNGrams.upperBound))
        writer.write(UInt8(options.characterNGrams.lowerBound))
        writer.write(UInt8(options.characterNGrams.upperBound))
        writer.write(options.wordWeight)
        writer.write(UInt32(options.minimumDocumentFrequency))
        writer.write(options.regularization)
        writer.write(UInt32(options.maximumEpochs))
        writer.write(options.tolerance)
        writer.write(options.calibrationShare)
        writer.write(options.triageThreshold)
        writer.write(options.seed)
        writer.write(temperature)
        writer.write(UInt32(exampleCount))
        writer.write(UInt32(labels.count))
        for label in labels { writer.write(label) }
        writer.write(UInt32(featureCount))
        for hash in features.vocabulary.hashes { writer.write(hash) }
        writer.write(features.inverseFrequency)
        writer.write(biases)
        writer.write(weights)
        var bytes = writer.bytes
        bytes.replaceSubrange(0..<4, with: Self.magic)
        let checksum = modelChecksum(bytes[...])
        withUnsafeBytes(of: checksum.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Reads a model written by `encoded()`. Refuses bytes that are not a classifier model, are
    /// truncated or damaged (checksum), or come from a newer format version.
    public init(encoded bytes: [UInt8]) throws(ClassifierError) {
        guard bytes.count >= 16, Array(bytes.prefix(4)) == Self.magic else {
            throw ClassifierError(.corruptModel, "not a Rapport text classifier model")
        }
        var stored: UInt64 = 0
        for offset in 0..<8 { stored |= UInt64(bytes[bytes.count - 8 + offset]) << (offset * 8) }
        guard stored == modelChecksum(bytes[..<(bytes.count - 8)]) else {
            throw ClassifierError(.corruptModel, "the stored model is damaged (checksum mismatch)")
        }
        var reader = ModelBytesReader(Array(bytes[4..<(bytes.count - 8)]))
        let version = try reader.read(UInt16.self)
        guard version >= 1, version <= Self.formatVersion else {
            throw ClassifierError(.unsupportedVersion, "model format \(version) is newer than this build reads (\(Self.formatVersion))")
        }
        let wordLow = Int(try reader.read(UInt8.self)), wordHigh = Int(try reader.read(UInt8.self))
        let characterLow = Int(try reader.read(UInt8.self)), characterHigh = Int(try reader.read(UInt8.self))
        guard wordLow <= wordHigh, characterLow <= characterHigh else {
            throw ClassifierError(.corruptModel, "the stored n-gram ranges are empty")
        }
        var options = ClassifierOptions()
        options.wordNGrams = wordLow...wordHigh
        options.characterNGrams = characterLow...characterHigh
        options.wordWeight = try reader.readDouble()
        options.minimumDocumentFrequency = Int(try reader.read(UInt32.self))
        options.regularization = try reader.readDouble()
        options.maximumEpochs = Int(try reader.read(UInt32.self))
        options.tolerance = try reader.readDouble()
        options.calibrationShare = try reader.readDouble()
        options.triageThreshold = try reader.readDouble()
        options.seed = try reader.read(UInt64.self)
        do {
            options = try options.validated()
        } catch {
            throw ClassifierError(.corruptModel, "the stored options are out of range (\(error.message))")
        }
        let temperature = try reader.readDouble()
        guard temperature.isFinite, temperature > 0 else { throw ClassifierError(.corruptModel, "the stored temperature is invalid") }
        let exampleCount = Int(try reader.read(UInt32.self))
        let labelCount = Int(try reader.read(UInt32.self))
        guard labelCount >= 2, labelCount <= reader.remaining else {
            throw ClassifierError(.corruptModel, "the stored label count is invalid")
        }
        var labels: [String] = []
        for _ in 0..<labelCount { labels.append(try reader.readString()) }
        let featureCount = Int(try reader.read(UInt32.self))
        let hashes = try reader.readHashes(featureCount)
        let inverseFrequency = try reader.readFloats(featureCount)
        let biases = try reader.readFloats(labelCount)
        guard featureCount == 0 || labelCount <= Int.max / featureCount else {
            throw ClassifierError(.corruptModel, "the stored sizes are invalid")
        }
        let weights = try reader.readFloats(featureCount * labelCount)
        guard reader.remaining == 0 else { throw ClassifierError(.corruptModel, "the stored model has trailing bytes") }
        guard inverseFrequency.allSatisfy(\.isFinite), biases.allSatisfy(\.isFinite), weights.allSatisfy(\.isFinite) else {
            throw ClassifierError(.corruptModel, "the stored weights are not finite numbers")
        }
        let hashing = NGramHashing(wordNGrams: options.wordNGrams, characterNGrams: options.characterNGrams)
        let features = FeatureWeighting(hashing: hashing, vocabulary: FeatureVocabulary(hashes: hashes),
                                        inverseFrequency: inverseFrequency, wordWeight: Float(options.wordWeight))
        self.init(labels: labels, options: options, temperature: temperature, exampleCount: exampleCount,
                  features: features, weights: weights, biases: biases)
    }
}
