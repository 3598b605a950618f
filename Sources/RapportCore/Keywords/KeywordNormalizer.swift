/// Maps text to the form keyword sets are matched in, keeping track of where each normalized
/// scalar came from.
///
/// Normalization is NFKC, then full Unicode case folding, then NFKC again, with
/// default-ignorable scalars (soft hyphen, zero-width space and joiners, variation selectors)
/// removed: `ＲＥＦＵＮＤ` and `Refund` become `refund`, half-width `ｶﾀｶﾅ` becomes `カタカナ`,
/// `Straße` and `STRASSE` both become `strasse`, `ﬁ` becomes `fi`. Folding is the language-neutral
/// one, so `İ` becomes `i` followed by U+0307 rather than the Turkish `i`.
///
/// Text is normalized in segments: a scalar and the combining marks (or Hangul vowel and final
/// jamo) after it. A normalized scalar's origin is its own original scalar when the segment did
/// not change or became one scalar of the same UTF-8 width, and the whole segment otherwise.
public struct KeywordNormalizer: Sendable {
    /// Creates a normalizer; the shared per-scalar table is built on first use.
    public init() {}

    /// The normalized scalars of `text` and, for each, the range of original scalar offsets it came from.
    public func normalize(_ text: String) -> KeywordNormalizedText {
        var text = text
        text.makeContiguousUTF8()
        let table = KeywordFoldTable.shared
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            var result = KeywordNormalizedText(scalars: [], origins: [])
            var start = 0
            var scalarOffset = 0
            while start < bytes.count {
                let segment = table.segment(at: start, in: bytes)
                let originalCount = KeywordUTF8.scalarCount(bytes, start..<segment.end)
                let mapped: [UInt8]
                var perScalar = false
                switch segment.output {
                case .unchanged:
                    mapped = Array(bytes[start..<segment.end])
                    perScalar = true
                case .sameWidth(let offset, let count):
                    mapped = Array(table.pool[offset..<offset + count])
                    perScalar = true
                case .pooled(let offset, let count):
                    mapped = Array(table.pool[offset..<offset + count])
                case .computed(let bytes):
                    mapped = bytes
                }
                var index = scalarOffset
                for scalar in String(decoding: mapped, as: UTF8.self).unicodeScalars {
                    result.scalars.append(scalar)
                    if perScalar {
                        result.origins.append(index..<index + 1)
                        index += 1
                    } else {
                        result.origins.append(scalarOffset..<scalarOffset + originalCount)
                    }
                }
                scalarOffset += originalCount
                start = segment.end
            }
            return result
        }!
    }

    /// The normalized form of `text` as a string.
    public func normalized(_ text: String) -> String {
        normalize(text).string
    }
}

/// Text after keyword normalization, with a way back to the original.
public struct KeywordNormalizedText: Sendable, Hashable {
    /// The normalized scalars.
    public var scalars: [Unicode.Scalar]
    /// For each normalized scalar, the original scalar offsets `[start, end)` it came from
    /// (offsets count Unicode scalars, as Python's `str` indexes).
    public var origins: [Range<Int>]

    /// Creates normalized text from its parts.
    public init(scalars: [Unicode.Scalar], origins: [Range<Int>]) {
        self.scalars = scalars
        self.origins = origins
    }

    /// The normalized scalars as a string.
    public var string: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
