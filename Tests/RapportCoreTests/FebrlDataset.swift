import Foundation
import RapportCore

/// The FEBRL synthetic customer files (shipped beside the project in `shared/datasets/febrl`),
/// read into customers, with the entity number of each record for scoring.
struct FebrlDataset {
    struct Row {
        var customer: Customer
        /// Records with the same entity number are the same person (`rec-552-dup-3` → 552).
        var entity: Int
    }

    /// `RAPPORT_FEBRL_DIR`, or `shared/datasets/febrl` beside the repository.
    static let directory: URL = {
        if let configured = ProcessInfo.processInfo.environment["RAPPORT_FEBRL_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let repositoryRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets/febrl")
    }()

    static func isAvailable(_ names: String...) -> Bool {
        let present = names.allSatisfy { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
        if !present {
            print("FEBRL data not found in \(directory.path) (set RAPPORT_FEBRL_DIR); skipping the FEBRL quality tests")
        }
        return present
    }

    /// Reads one file. Street number and street go into address line 1 as a CRM stores them;
    /// the profile reads them back apart (`address.house_number`, `address.street`).
    static func load(_ name: String) throws -> [Row] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline)
        guard !lines.isEmpty else { return [] }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var rows: [Row] = []
        for line in lines {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count == header.count else { continue }
            var field: [String: String] = [:]
            for (name, value) in zip(header, cells) { field[name] = value }
            func value(_ name: String) -> String? {
                guard let text = field[name], !text.isEmpty else { return nil }
                return text
            }
            let recordID = field["rec_id"] ?? ""
            let parts = recordID.split(separator: "-")
            guard parts.count >= 2, let entity = Int(parts[1]) else { continue }
            let line1 = [value("street_number"), value("address_1")].compactMap { $0 }.joined(separator: " ")
            var attributes = JSONObject()
            if let birth = value("date_of_birth") { attributes["date_of_birth"] = .string(birth) }
            if let number = value("soc_sec_id") { attributes["soc_sec_id"] = .string(number) }
            let name = [value("given_name"), value("surname")].compactMap { $0 }.joined(separator: " ")
            let customer = Customer(
                id: recordID, kind: .person, name: name, givenName: value("given_name"), familyName: value("surname"),
                addresses: [Address(line1: line1.isEmpty ? nil : line1, line2: value("address_2"), city: value("suburb"),
                                    region: value("state"), postalCode: value("postcode"), country: "AU")],
                attributes: attributes, createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0)
            )
            rows.append(Row(customer: customer, entity: entity))
        }
        return rows
    }

    /// The profile the FEBRL checks use: every FEBRL column, blocked on identity number and
    /// birth date (digits in any order, catching swapped digits), names in any order, a name
    /// with the postcode, the street, and the suburb with the house number.
    static func profile(pairing: MatchPairing) -> MatchProfile {
        let socialSecurity = FieldSource.attribute("soc_sec_id")
        let birth = FieldSource.attribute("date_of_birth")
        return MatchProfile(
            fields: [
                MatchField("given_name", source: .givenName, comparator: .name, termFrequency: true),
                MatchField("surname", source: .familyName, comparator: .name, termFrequency: true),
                MatchField("street_number", source: .addressHouseNumber, comparator: .damerauLevenshtein([1])),
                MatchField("street", source: .addressStreet, comparator: .place),
                MatchField("address_2", source: .addressLine2, comparator: .place),
                MatchField("suburb", source: .addressCity, comparator: .place, termFrequency: true),
                MatchField("postcode", source: .addressPostalCode, comparator: .damerauLevenshtein([1]),
                           termFrequency: true),
                MatchField("state", source: .addressRegion, comparator: .exact, termFrequency: true),
                MatchField("date_of_birth", source: birth, comparator: .date),
                MatchField("soc_sec_id", source: socialSecurity, comparator: .code),
            ],
            blockingRules: [
                BlockingRule([BlockingKey(socialSecurity, transform: .sortedCharacters)]),
                BlockingRule([BlockingKey(birth, transform: .sortedCharacters, normalization: .date)]),
                BlockingRule([BlockingKey([.givenName, .familyName], transform: .sortedWords)]),
                .on(.familyName, .addressPostalCode),
                .on(.givenName, .addressPostalCode),
                .on(.addressStreet),
                .on(.addressCity, .addressHouseNumber),
            ],
            thresholds: MatchThresholds(review: 0.5, autoMerge: 0.99),
            pairing: pairing
        )
    }
}

/// Pairwise precision, recall and F1 of found pairs against the true pairs.
struct PairQuality: CustomStringConvertible {
    var truePositives: Int
    var falsePositives: Int
    var falseNegatives: Int

    init(found: Set<PairKey>, truth: Set<PairKey>) {
        truePositives = found.intersection(truth).count
        falsePositives = found.count - truePositives
        falseNegatives = truth.count - truePositives
    }

    var precision: Double { Double(truePositives) / Double(max(truePositives + falsePositives, 1)) }
    var recall: Double { Double(truePositives) / Double(max(truePositives + falseNegatives, 1)) }
    var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }

    var description: String {
        String(format: "precision %.4f recall %.4f F1 %.4f (TP %d, FP %d, FN %d)",
               precision, recall, f1, truePositives, falsePositives, falseNegatives)
    }
}

/// An unordered pair of record ids.
struct PairKey: Hashable {
    let first: String
    let second: String

    init(_ a: String, _ b: String) {
        first = min(a, b)
        second = max(a, b)
    }
}
