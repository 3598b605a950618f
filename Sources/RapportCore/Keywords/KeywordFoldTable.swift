import Foundation

/// How single scalars look after keyword normalization (NFKC, full case folding, NFKC again,
/// default-ignorable scalars removed), computed once per process for the Basic Multilingual Plane.
///
/// Foundation does the Unicode work; the table only makes it cheap. Scalars outside the BMP are
/// mapped on demand: nearly all of them (emoji, rare ideographs) do not change, which
/// `changesWhenNFKCCaseFolded` says without calling Foundation.
struct KeywordFoldTable: Sendable {
    /// The process-wide table (about 300 KB, built in a few tens of milliseconds on first use).
    static let shared = KeywordFoldTable()

    /// Per BMP scalar: bit 31 the mapping differs from the scalar, bit 30 the scalar joins the
    /// segment before it, bit 29 the mapping is one scalar of the same UTF-8 width (offsets map
    /// one to one), bits 8...28 the offset of the mapping in `pool`, bits 0...7 its length in bytes.
    let entries: [UInt32]
    /// UTF-8 of the changed mappings, back to back.
    let pool: [UInt8]

    static let changedBit: UInt32 = 1 << 31
    static let joinerBit: UInt32 = 1 << 30
    static let sameWidthBit: UInt32 = 1 << 29

    private init() {
        var entries = [UInt32](repeating: 0, count: 0x1_0000)
        var pool: [UInt8] = []
        for value in 0..<UInt32(0x1_0000) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let mapped = Self.mapping(of: scalar)
            var entry: UInt32 = Self.joins(scalar, mapped: mapped) ? Self.joinerBit : 0
            if let mapped {
                entry |= Self.changedBit | UInt32(pool.count) << 8 | UInt32(mapped.count)
                if Self.isSameWidth(scalar, mapped) { entry |= Self.sameWidthBit }
                pool.append(contentsOf: mapped)
            }
            entries[Int(value)] = entry
        }
        self.entries = entries
        self.pool = pool
    }

    /// The UTF-8 of `scalar` after normalization, or nil when it is unchanged.
    static func mapping(of scalar: Unicode.Scalar) -> [UInt8]? {
        if scalar.value < 0x80 {
            guard (0x41...0x5A).contains(scalar.value) else { return nil }
            return [UInt8(scalar.value) | 0x20]
        }
        let properties = scalar.properties
        // Cherokee letters fold to upper case in Unicode but Foundation folds them to lower
        // case; asking about any case mapping keeps both spellings on the same path.
        guard properties.changesWhenNFKCCaseFolded || properties.changesWhenCaseMapped
            || properties.isDefaultIgnorableCodePoint else { return nil }
        let mapped = Array(normalize(String(Character(scalar))).utf8)
        return mapped.elementsEqual(String(Character(scalar)).utf8) ? nil : mapped
    }

    /// Whether `scalar` (whose normalized UTF-8 is `mapped`, nil when unchanged) belongs to the
    /// segment before it: combining marks, and Hangul vowel and final jamo that compose with
    /// the syllable before them. Segments are normalized as a whole so that, for example,
    /// half-width `ｶﾞ` becomes `ガ` as NFKC composes it.
    static func joins(_ scalar: Unicode.Scalar, mapped: [UInt8]?) -> Bool {
        var lead = scalar
        if let mapped, !mapped.isEmpty {
            var decoder = UTF8()
            var iterator = mapped.makeIterator()
            if case .scalarValue(let first) = decoder.decode(&iterator) { lead = first }
        }
        switch lead.value {
        case 0x1161...0x1175, 0x11A8...0x11C2: return true
        default: break
        }
        switch lead.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// True when `mapped` is one scalar as wide in UTF-8 as `scalar`.
    private static func isSameWidth(_ scalar: Unicode.Scalar, _ mapped: [UInt8]) -> Bool {
        guard mapped.count == UTF8.width(scalar) else { return false }
        return String(decoding: mapped, as: UTF8.self).unicodeScalars.count == 1
    }

    /// Keyword normalization of a whole segment with Foundation: NFKC, full case folding
    /// (`ß` → `ss`, `ς` → `σ`), NFKC again (folding may decompose), then default-ignorable
    /// scalars (soft hyphen, zero-width space and joiners, variation selectors) removed.
    static func normalize(_ segment: String) -> String {
        let folded = segment.precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .precomposedStringWithCompatibilityMapping
        var result = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars where !scalar.properties.isDefaultIgnorableCodePoint {
            result.append(scalar)
        }
        return String(result)
    }

    /// The normalized UTF-8 of one scalar, or nil when it is unchanged; BMP scalars come from the table.
    func mappedBytes(of scalar: Unicode.Scalar) -> [UInt8]? {
        guard scalar.value < 0x1_0000 else { return Self.mapping(of: scalar) }
        let entry = entries[Int(scalar.value)]
        guard entry & Self.changedBit != 0 else { return nil }
        let offset = Int(entry >> 8 & 0x1F_FFFF)
        return Array(pool[offset..<offset + Int(entry & 0xFF)])
    }

    /// Whether the scalar with this value joins the segment before it.
    @inline(__always)
    func isJoiner(_ value: UInt32) -> Bool {
        if value < 0x1_0000 { return entries[Int(value)] & Self.joinerBit != 0 }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return Self.joins(scalar, mapped: Self.mapping(of: scalar))
    }
}
