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

/// UTF-8 decoding of text already known to be valid (it comes from a Swift `String`).
enum KeywordUTF8 {
    /// The scalar value starting at `offset` and its width in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[offset])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[offset + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[offset + 1] & 0x3F) << 6 | UInt32(bytes[offset + 2] & 0x3F), 3)
        }
        return ((lead & 0x07) << 18 | UInt32(bytes[offset + 1] & 0x3F) << 12 | UInt32(bytes[offset + 2] & 0x3F) << 6
            | UInt32(bytes[offset + 3] & 0x3F), 4)
    }

    /// The start of the scalar that ends just before `offset`.
    @inline(__always)
    static func previousStart(_ bytes: UnsafeBufferPointer<UInt8>, before offset: Int) -> Int {
        var start = offset - 1
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return start
    }

    /// The number of scalars in `bytes[range]`: bytes that are not continuation bytes, counted eight at a time.
    static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        var count = 0
        var offset = range.lowerBound
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while offset + 8 <= range.upperBound {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            // A continuation byte is 0b10xxxxxx: high bit set, next bit clear.
            let continuation = word & ~(word << 1) & 0x8080_8080_8080_8080
            count += 8 - continuation.nonzeroBitCount
            offset += 8
        }
        while offset < range.upperBound {
            if bytes[offset] & 0xC0 != 0x80 { count += 1 }
            offset += 1
        }
        return count
    }
}
