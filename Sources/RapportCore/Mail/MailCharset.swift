import Foundation

/// Turns the bytes of a header or body into text, given the charset a message declares.
///
/// Mail in the wild is often mislabelled: 8-bit UTF-8 with no charset or with `us-ascii`,
/// UTF-8 declared but Windows-1252 sent, `gb2312` declared but GBK characters used. So a label
/// names the likely encoding, not a promise: valid UTF-8 with multi-byte sequences wins over a
/// single-byte label, and bytes the declared charset cannot decode fall back to UTF-8 or, last,
/// Windows-1252 (which decodes every byte). `fellBack` says when the declared charset was not used.
public enum MailCharset {
    public struct Decoded: Sendable, Equatable {
        public var text: String
        /// Whether the text was decoded with another charset than the one declared.
        public var fellBack: Bool
    }

    /// Decodes `bytes` declared as `label` (nil or empty: none declared).
    public static func decode(_ bytes: ArraySlice<UInt8>, label: String?) -> Decoded {
        let name = label.map(normalizedName) ?? ""
        let kind = encoding(named: name)
        if isASCII(bytes) {
            switch kind {
            case .multiByte(let encoding) where encoding == .utf16 || encoding == .utf16LittleEndian || encoding == .utf16BigEndian:
                break
            case .multiByte where bytes.contains(0x1B):
                break  // ISO-2022 shifts with ESC sequences in 7-bit bytes
            default:
                return Decoded(text: ascii(bytes), fellBack: false)
            }
        }
        switch kind {
        case .utf8:
            if let text = validUTF8(bytes) { return Decoded(text: text, fellBack: false) }
            return Decoded(text: windows1252(bytes), fellBack: true)
        case .singleByte(let encoding):
            // Valid multi-byte UTF-8 in a single-byte charset is almost never chance.
            if let text = validUTF8(bytes) { return Decoded(text: text, fellBack: true) }
            if encoding == nil { return Decoded(text: windows1252(bytes), fellBack: false) }
            if let text = foundation(bytes, encoding!) { return Decoded(text: text, fellBack: false) }
            return Decoded(text: windows1252(bytes), fellBack: true)
        case .multiByte(let encoding):
            if let text = foundation(bytes, encoding) { return Decoded(text: text, fellBack: false) }
            if let text = validUTF8(bytes) { return Decoded(text: text, fellBack: true) }
            return Decoded(text: windows1252(bytes), fellBack: true)
        case .unknown:
            if let text = validUTF8(bytes) { return Decoded(text: text, fellBack: !name.isEmpty) }
            return Decoded(text: windows1252(bytes), fellBack: true)
        }
    }

    public static func decode(_ bytes: [UInt8], label: String?) -> Decoded {
        decode(bytes[...], label: label)
    }

    /// Whether Rapport can decode text declared as `label`.
    public static func isKnown(_ label: String) -> Bool {
        if case .unknown = encoding(named: normalizedName(label)) { return false }
        return true
    }

    // MARK: - Charset names

    enum Kind {
        case utf8
        /// A single-byte charset; nil is Windows-1252 (decoded here, without Foundation).
        case singleByte(String.Encoding?)
        case multiByte(String.Encoding)
        case unknown
    }

    static func normalizedName(_ label: String) -> String {
        var name = label.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        // RFC 2231 and 2184 allow a language after `*` in an encoded word's charset.
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        return name
    }

    /// Foundation's encoding for a Core Foundation encoding number.
    private static func cf(_ value: UInt) -> String.Encoding { String.Encoding(rawValue: 0x8000_0000 | value) }

    static func encoding(named name: String) -> Kind {
        switch name {
        case "", "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "7bit", "8bit", "default", "x-user-defined",
             "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
             "windows-1252", "cp1252", "x-cp1252", "win-1252":
            // WHATWG decodes Latin-1 labels as Windows-1252, which fills 0x80-0x9F with what senders meant.
            return .singleByte(nil)
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode-2-0-utf-8":
            return .utf8
        case "utf-16", "utf16": return .multiByte(.utf16)
        case "utf-16le": return .multiByte(.utf16LittleEndian)
        case "utf-16be": return .multiByte(.utf16BigEndian)
        case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "x-euc-cn", "csgb2312", "chinese",
             "gb_2312-80", "iso-ir-58", "hz-gb-2312-not":
            // GB18030 contains GBK, which contains GB2312: senders often label GBK text gb2312.
            return .multiByte(cf(0x0632))
        case "big5", "big-5", "cn-big5", "x-x-big5", "csbig5", "cp950", "big5-hkscs":
            return .multiByte(cf(0x0A06))  // Big5-HKSCS contains Big5
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis":
            return .multiByte(.shiftJIS)
        case "windows-31j", "cp932", "ms932", "x-ms-cp932":
            return .multiByte(cf(0x0421))
        case "iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3":
            return .multiByte(.iso2022JP)
        case "euc-jp", "x-euc-jp", "cseucpkdfmtjapanese":
            return .multiByte(.japaneseEUC)
        case "euc-kr", "ks_c_5601-1987", "ks_c_5601", "ksc5601", "korean", "csksc56011987", "x-euc-kr":
            return .multiByte(cf(0x0940))
        case "cp949", "uhc", "windows-949", "ms949", "x-windows-949":
            return .multiByte(cf(0x0422))
        case "iso-2022-kr": return .multiByte(cf(0x0840))
        case "iso-2022-cn", "iso-2022-cn-ext": return .multiByte(cf(0x0830))
        case "koi8-r", "cskoi8r", "koi8": return .singleByte(cf(0x0A02))
        case "koi8-u": return .singleByte(cf(0x0A08))
        case "windows-874", "cp874", "tis-620", "iso-8859-11": return .singleByte(cf(0x0A05))
        case "macintosh", "mac", "x-mac-roman", "macroman": return .singleByte(.macOSRoman)
        default:
            if let part = isoPart(name) { return .singleByte(part == 1 ? nil : cf(0x0200 + UInt(part))) }
            if let page = windowsPage(name) {
                switch page {
                case 1250: return .singleByte(.windowsCP1250)
                case 1251: return .singleByte(.windowsCP1251)
                case 1253: return .singleByte(.windowsCP1253)
                case 1254: return .singleByte(.windowsCP1254)
                case 1255...1258: return .singleByte(cf(0x0505 + UInt(page - 1255)))
                default: return .unknown
                }
            }
            return .unknown
        }
    }

    /// N of `iso-8859-N` (also `iso8859-N`, `iso_8859-N`, `latinN` for the common ones).
    private static func isoPart(_ name: String) -> Int? {
        for prefix in ["iso-8859-", "iso8859-", "iso_8859-", "iso8859_", "iso-8859_"] where name.hasPrefix(prefix) {
            var digits = name.dropFirst(prefix.count)
            if let colon = digits.firstIndex(of: ":") { digits = digits[..<colon] }  // iso_8859-2:1987
            guard let part = Int(digits), (1...16).contains(part), part != 12 else { return nil }
            return part
        }
        switch name {
        case "latin2", "l2": return 2
        case "latin3", "l3": return 3
        case "latin4", "l4": return 4
        case "cyrillic": return 5
        case "arabic": return 6
        case "greek": return 7
        case "hebrew": return 8
        case "latin5", "l5": return 9
        case "latin6", "l6": return 10
        case "latin9", "l9", "latin-9": return 15
        default: return nil
        }
    }

    private static func windowsPage(_ name: String) -> Int? {
        for prefix in ["windows-", "cp", "x-cp", "win-", "cp-"] where name.hasPrefix(prefix) {
            if let page = Int(name.dropFirst(prefix.count)), (1250...1258).contains(page) { return page }
        }
        return nil
    }

    // MARK: - Decoders

    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withContiguousStorageIfAvailable { buffer in
            var combined: UInt8 = 0
            for byte in buffer { combined |= byte }
            return combined < 0x80
        } ?? bytes.allSatisfy { $0 < 0x80 }
    }

    private static func ascii(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func validUTF8(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    private static func foundation(_ bytes: ArraySlice<UInt8>, _ encoding: String.Encoding) -> String? {
        String(data: Data(bytes), encoding: encoding)
    }

    /// Windows-1252: Latin-1 with printable characters in 0x80-0x9F; decodes every byte.
    public static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte >= 0x80, byte < 0xA0 {
                scalars.append(Unicode.Scalar(windows1252High[Int(byte - 0x80)]) ?? "\u{FFFD}")
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// 0x80-0x9F in Windows-1252; the five unassigned bytes map to the C1 controls, as WHATWG does.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
