/// A country or territory's numbering facts, enough to canonicalize phone numbers to E.164 and reject garbage.
///
/// The table (`PhoneRegion+Table.swift`) is compact on purpose: lengths are generous ranges of the
/// national significant number, not a full numbering plan.
public struct PhoneRegion: Sendable, Hashable {
    /// ISO 3166-1 alpha-2 code, uppercase, e.g. `DE`.
    public let code: String
    /// ITU-T E.164 country calling code without `+`, e.g. `49`.
    public let callingCode: String
    /// Digits dialled before a national number inside the country, e.g. `0`; nil where numbers are dialled as written (e.g. IT).
    public let trunkPrefix: String?
    /// Allowed lengths of the national significant number (after the calling code, without any trunk prefix).
    public let nationalLengths: ClosedRange<Int>
    /// Prefixes besides `00` that start an international number dialled from this region, e.g. `011` in NANP.
    public let internationalPrefixes: [String]
    /// First digits that no national significant number here starts with (a trunk prefix cannot start one).
    let forbiddenLeadingDigits: String
    /// Prefixes that used to be dialled before national numbers and are dropped when a number is too long (e.g. MX `044`).
    let droppablePrefixes: [String]

    init(
        _ code: String, _ callingCode: String, trunk: String? = nil, _ nationalLengths: ClosedRange<Int>,
        international: [String] = [], forbiddenLeadingDigits: String? = nil, droppable: [String] = []
    ) {
        self.code = code
        self.callingCode = callingCode
        self.trunkPrefix = trunk
        self.nationalLengths = nationalLengths
        self.internationalPrefixes = international
        self.forbiddenLeadingDigits = forbiddenLeadingDigits ?? (trunk?.first == "0" ? "0" : "")
        self.droppablePrefixes = droppable
    }

    /// The region with ISO code `code` (case-insensitive, surrounding whitespace ignored), or nil.
    public static func named(_ code: String) -> PhoneRegion? {
        byCode[IdentityText.trimmed(code).uppercased()]
    }

    /// The regions that share the calling code `digits` exactly (e.g. `1` gives US, CA and the rest of NANP), main region first.
    public static func forCallingCode(_ digits: some StringProtocol) -> [PhoneRegion] {
        byCallingCode[String(digits)] ?? []
    }

    /// The calling code that starts `digits` and the regions that use it, or nil if no known calling code does.
    ///
    /// Calling codes form a prefix code (no code starts another), so at most one of the first 1–3 digits matches.
    public static func matchingCallingCode(_ digits: some StringProtocol) -> (callingCode: String, regions: [PhoneRegion])? {
        for length in 1...3 where length <= digits.count {
            let candidate = String(digits.prefix(length))
            if let regions = byCallingCode[candidate] { return (candidate, regions) }
        }
        return nil
    }

    /// Whether `nationalNumber` has an allowed length and does not start with a forbidden digit.
    func accepts(_ nationalNumber: Substring) -> Bool {
        guard nationalLengths.contains(nationalNumber.count), let first = nationalNumber.first else { return false }
        return !forbiddenLeadingDigits.contains(first)
    }

    private static let byCode: [String: PhoneRegion] = Dictionary(
        all.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first }
    )

    private static let byCallingCode: [String: [PhoneRegion]] = Dictionary(grouping: all, by: \.callingCode)
}
