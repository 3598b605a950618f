import Foundation

/// Turns a message into the sparse vector the linear model reads: sublinear TF-IDF over the
/// known word and character n-grams, each group scaled to unit length, the word group weighted,
/// and the whole vector scaled to unit length.
struct FeatureWeighting: Sendable {
    var hashing: NGramHashing
    var vocabulary: FeatureVocabulary
    /// Inverse document frequency per column: `ln((1 + n) / (1 + df)) + 1`.
    var inverseFrequency: [Float]
    var wordWeight: Float

    /// Reusable buffers, so that encoding a message allocates nothing once they have grown.
    struct Scratch {
        var scalars: [UInt32] = []
        var tokens: [UInt64] = []
        var padded: [UInt32] = []
        var hashes: [UInt64] = []
        var columns: [Int32] = []
        var slots: [Int32] = []
        var counts: [Int32] = []
        var used: [Int32] = []

        init() {
            scalars.reserveCapacity(256)
            tokens.reserveCapacity(64)
            padded.reserveCapacity(64)
            hashes.reserveCapacity(512)
            columns.reserveCapacity(512)
            used.reserveCapacity(512)
        }
    }

    /// Word-group and character-group hashes of one message, each sorted, duplicates kept.
    static func hashes(_ text: String, hashing: NGramHashing, scratch: inout Scratch) -> (words: [UInt64], characters: [UInt64]) {
        MessageText.normalizedScalars(text, into: &scratch.scalars)
        var words: [UInt64] = [], characters: [UInt64] = []
        scratch.scalars.withUnsafeBufferPointer { scalars in
            hashing.wordHashes(scalars, tokens: &scratch.tokens, into: &words)
            hashing.characterHashes(scalars, padded: &scratch.padded, into: &characters)
        }
        return (words, characters)
    }

    /// Appends the weighted features of `text` to `indices` and `values` (after emptying them).
    func encode(_ text: String, scratch: inout Scratch, indices: inout [Int32], values: inout [Float]) {
        indices.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        MessageText.normalizedScalars(text, into: &scratch.scalars)
        let hashing = self.hashing
        scratch.hashes.removeAll(keepingCapacity: true)
        scratch.scalars.withUnsafeBufferPointer { scalars in
            hashing.wordHashes(scalars, tokens: &scratch.tokens, into: &scratch.hashes)
        }
        appendGroup(scratch: &scratch, weight: wordWeight, indices: &indices, values: &values)
        scratch.hashes.removeAll(keepingCapacity: true)
        scratch.scalars.withUnsafeBufferPointer { scalars in
            hashing.characterHashes(scalars, padded: &scratch.padded, into: &scratch.hashes)
        }
        appendGroup(scratch: &scratch, weight: 1, indices: &indices, values: &values)
        var squares: Float = 0
        for value in values { squares += value * value }
        if squares > 0 {
            let scale = 1 / squares.squareRoot()
            for position in values.indices { values[position] *= scale }
        }
    }

    private func appendGroup(scratch: inout Scratch, weight: Float, indices: inout [Int32], values: inout [Float]) {
        scratch.columns.removeAll(keepingCapacity: true)
        vocabulary.appendColumns(of: scratch.hashes, to: &scratch.columns)
        guard !scratch.columns.isEmpty else { return }
        // Count repeated columns in a small open-addressing table (cheaper than sorting them);
        // features come out in order of first appearance.
        var capacity = 64
        while capacity < scratch.columns.count * 2 { capacity <<= 1 }
        if scratch.slots.count < capacity {
            scratch.slots = [Int32](repeating: -1, count: capacity)
            scratch.counts = [Int32](repeating: 0, count: capacity)
        }
        let mask = capacity - 1
        let first = values.count
        var squares: Float = 0
        scratch.used.removeAll(keepingCapacity: true)
        scratch.columns.withUnsafeBufferPointer { columns in
            scratch.slots.withUnsafeMutableBufferPointer { slots in
                scratch.counts.withUnsafeMutableBufferPointer { counts in
                    for column in columns {
                        var slot = Int(UInt32(bitPattern: column) &* 0x9E37_79B1) & mask
                        while slots[slot] >= 0, slots[slot] != column { slot = (slot + 1) & mask }
                        if slots[slot] < 0 {
                            slots[slot] = column
                            scratch.used.append(Int32(slot))
                        }
                        counts[slot] += 1
                    }
                    inverseFrequency.withUnsafeBufferPointer { idf in
                        for slot in scratch.used {
                            let column = slots[Int(slot)]
                            let value = (1 + logf(Float(counts[Int(slot)]))) * idf[Int(column)]
                            indices.append(column)
                            values.append(value)
                            squares += value * value
                            slots[Int(slot)] = -1
                            counts[Int(slot)] = 0
                        }
                    }
                }
            }
        }
        let scale = weight / squares.squareRoot()
        for position in first..<values.count { values[position] *= scale }
    }

    /// Builds the vocabulary from training messages: every n-gram in at least `minimumFrequency`
    /// of them, in order of first appearance (so the same data always gives the same columns).
    static func fitted(to texts: [String], hashing: NGramHashing, wordWeight: Double, minimumFrequency: Int) -> FeatureWeighting {
        var frequency: [UInt64: Int32] = [:]
        var order: [UInt64] = []
        var scratch = Scratch()
        var seen: [UInt64] = []
        for text in texts {
            let (words, characters) = hashes(text, hashing: hashing, scratch: &scratch)
            seen.removeAll(keepingCapacity: true)
            seen.append(contentsOf: words)
            seen.append(contentsOf: characters)
            seen.sort()
            var previous: UInt64? = nil
            for hash in seen where hash != previous {
                previous = hash
                if let count = frequency[hash] {
                    frequency[hash] = count + 1
                } else {
                    frequency[hash] = 1
                    order.append(hash)
                }
            }
        }
        let kept = order.filter { Int(frequency[$0] ?? 0) >= minimumFrequency }
        let total = Float(texts.count)
        let inverse = kept.map { logf((1 + total) / (1 + Float(frequency[$0] ?? 0))) + 1 }
        return FeatureWeighting(hashing: hashing, vocabulary: FeatureVocabulary(hashes: kept), inverseFrequency: inverse,
                                wordWeight: Float(wordWeight))
    }
}
