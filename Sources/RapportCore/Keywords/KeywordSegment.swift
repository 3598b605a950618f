/// A maximal run of original scalars normalized together: one scalar and the joiners after it
/// (see `KeywordFoldTable.joins`), with what it becomes.
struct KeywordSegment {
    /// What the segment's UTF-8 becomes.
    enum Output {
        /// The same bytes: positions inside the segment map to themselves.
        case unchanged
        /// One scalar of the same UTF-8 width from the table's pool, e.g. `A` → `a`, `É` → `é`.
        case sameWidth(offset: Int, count: Int)
        /// Bytes from the table's pool, e.g. `Ａ` → `a`, `ß` → `ss`, soft hyphen → nothing.
        case pooled(offset: Int, count: Int)
        /// Bytes normalized for this segment, e.g. `e` + U+0301 → `é`, `ｶﾞ` → `ガ`.
        case computed([UInt8])
    }

    /// The byte offset just past the segment in the original UTF-8.
    var end: Int
    var output: Output
}

extension KeywordFoldTable {
    /// The segment that starts at byte `start` of valid UTF-8 `bytes`.
    func segment(at start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> KeywordSegment {
        let (first, firstWidth) = KeywordUTF8.decode(bytes, at: start)
        var end = start + firstWidth
        while end < bytes.count, bytes[end] >= 0x80 {
            let (value, width) = KeywordUTF8.decode(bytes, at: end)
            guard isJoiner(value) else { break }
            end += width
        }
        if end == start + firstWidth {
            if first < 0x1_0000 {
                let entry = entries[Int(first)]
                guard entry & Self.changedBit != 0 else { return KeywordSegment(end: end, output: .unchanged) }
                let offset = Int(entry >> 8 & 0x1F_FFFF)
                let count = Int(entry & 0xFF)
                if entry & Self.sameWidthBit != 0 {
                    return KeywordSegment(end: end, output: .sameWidth(offset: offset, count: count))
                }
                return KeywordSegment(end: end, output: .pooled(offset: offset, count: count))
            }
            guard let scalar = Unicode.Scalar(first), let mapped = Self.mapping(of: scalar) else {
                return KeywordSegment(end: end, output: .unchanged)
            }
            return KeywordSegment(end: end, output: .computed(mapped))
        }
        let original = UnsafeBufferPointer(rebasing: bytes[start..<end])
        let mapped = Array(Self.normalize(String(decoding: original, as: UTF8.self)).utf8)
        return KeywordSegment(end: end, output: mapped.elementsEqual(original) ? .unchanged : .computed(mapped))
    }

    /// The normalized UTF-8 of the segment that starts at byte `start`.
    func normalizedBytes(ofSegmentAt start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let segment = segment(at: start, in: bytes)
        switch segment.output {
        case .unchanged: return Array(bytes[start..<segment.end])
        case .sameWidth(let offset, let count), .pooled(let offset, let count): return Array(pool[offset..<offset + count])
        case .computed(let mapped): return mapped
        }
    }
}
