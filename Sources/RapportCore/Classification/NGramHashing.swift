/// Hashes the word and character n-grams of normalised text straight to 64-bit numbers, so that
/// neither training nor prediction builds a string per n-gram. Word and character n-grams start
/// from different seeds, so the two kinds never share a feature.
struct NGramHashing: Sendable {
    var wordNGrams: ClosedRange<Int>
    var characterNGrams: ClosedRange<Int>

    private static let prime: UInt64 = 0x0000_0100_0000_01B3
    private static let characterSeed: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let wordSeed: UInt64 = 0x84_2225_CBF2_9CE4

    /// A final avalanche (the SplitMix64 finaliser), so that low bits index a table evenly.
    @inline(__always)
    static func mixed(_ value: UInt64) -> UInt64 {
        var value = value
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Appends the hashes of the word n-grams of `scalars` to `hashes`. `tokens` is scratch space.
    func wordHashes(_ scalars: UnsafeBufferPointer<UInt32>, tokens: inout [UInt64], into hashes: inout [UInt64]) {
        guard wordNGrams.upperBound > 0 else { return }
        tokens.removeAll(keepingCapacity: true)
        var position = 0
        let count = scalars.count
        while position < count {
            guard MessageText.isWordCharacter(scalars[position]) else {
                position += 1
                continue
            }
            var hash = Self.wordSeed
            while position < count, MessageText.isWordCharacter(scalars[position]) {
                hash = (hash ^ UInt64(scalars[position])) &* Self.prime
                position += 1
            }
            tokens.append(Self.mixed(hash))
        }
        let lowest = max(1, wordNGrams.lowerBound)
        for start in tokens.indices {
            var hash = Self.wordSeed
            for length in 1...wordNGrams.upperBound {
                let end = start + length
                if end > tokens.count { break }
                hash = Self.mixed(hash &+ tokens[end - 1]) &* Self.prime
                if length >= lowest { hashes.append(Self.mixed(hash ^ UInt64(length))) }
            }
        }
    }

    /// Appends the hashes of the character n-grams of `scalars` to `hashes`: inside each
    /// space-separated chunk padded with one space on either side, as scikit-learn's `char_wb`.
    func characterHashes(_ scalars: UnsafeBufferPointer<UInt32>, padded: inout [UInt32], into hashes: inout [UInt64]) {
        guard characterNGrams.upperBound > 0 else { return }
        let lowest = max(1, characterNGrams.lowerBound), highest = characterNGrams.upperBound
        let count = scalars.count
        var position = 0
        while position < count {
            if MessageText.isSpace(scalars[position]) {
                position += 1
                continue
            }
            padded.removeAll(keepingCapacity: true)
            padded.append(0x20)
            while position < count, !MessageText.isSpace(scalars[position]) {
                padded.append(scalars[position])
                position += 1
            }
            padded.append(0x20)
            padded.withUnsafeBufferPointer { chunk in
                let length = chunk.count
                for start in 0..<length {
                    var hash = Self.characterSeed
                    let longest = min(highest, length - start)
                    if longest < lowest {
                        break
                    }
                    for size in 1...longest {
                        hash = (hash ^ UInt64(chunk[start + size - 1])) &* Self.prime
                        if size >= lowest { hashes.append(Self.mixed(hash)) }
                    }
                }
            }
        }
    }
}
