import Foundation
import RapportCore

/// One FEBRL CSV file (`rec_id, given_name, surname, street_number, address_1, address_2, suburb,
/// postcode, state, date_of_birth, soc_sec_id`) as new customers, each with the number of the
/// person it stands for (`rec-552-dup-3` → 552).
struct FebrlFile {
    var customers: [(customer: NewCustomer, entity: Int)]

    init(contentsOf path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline)
        guard !lines.isEmpty else { throw ValidationErrorText("\(path) is empty") }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        customers = []
        for line in lines {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == header.count else { continue }
            let row = Dictionary(zip(header, cells), uniquingKeysWith: { first, _ in first })
            func value(_ name: String) -> String? { row[name].flatMap { $0.isEmpty ? nil : $0 } }
            let parts = (row["rec_id"] ?? "").split(separator: "-")
            guard parts.count >= 2, let entity = Int(parts[1]) else { continue }
            let line1 = [value("street_number"), value("address_1")].compactMap { $0 }.joined(separator: " ")
            var attributes = JSONObject()
            if let birth = value("date_of_birth") { attributes["date_of_birth"] = .string(birth) }
            if let number = value("soc_sec_id") { attributes["soc_sec_id"] = .string(number) }
            let name = [value("given_name"), value("surname")].compactMap { $0 }.joined(separator: " ")
            let customer = NewCustomer(
                name: name.isEmpty ? (row["rec_id"] ?? "unknown") : name, givenName: value("given_name"), familyName: value("surname"),
                addresses: [Address(line1: line1.isEmpty ? nil : line1, line2: value("address_2"), city: value("suburb"),
                                    region: value("state"), postalCode: value("postcode"), country: "AU")],
                attributes: attributes)
            customers.append((customer, entity))
        }
    }
}

/// A message for the command line.
struct ValidationErrorText: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Pairwise precision, recall and F1 of found pairs against all true pairs.
struct PairQuality {
    var truePositives = 0
    var falsePositives = 0
    var falseNegatives = 0

    /// `entity` gives the person each customer id stands for; true pairs are all pairs of ids of one person.
    init(found: [ScoredPair], entity: [String: Int]) {
        var people: [Int: Int] = [:]
        for person in entity.values { people[person, default: 0] += 1 }
        let truePairs = people.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        var seen = Set<String>()
        for pair in found {
            let key = min(pair.firstID, pair.secondID) + "|" + max(pair.firstID, pair.secondID)
            guard seen.insert(key).inserted else { continue }
            if let first = entity[pair.firstID], first == entity[pair.secondID] { truePositives += 1 } else { falsePositives += 1 }
        }
        falseNegatives = truePairs - truePositives
    }

    var precision: Double { Double(truePositives) / Double(max(truePositives + falsePositives, 1)) }
    var recall: Double { Double(truePositives) / Double(max(truePositives + falseNegatives, 1)) }
    var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
}
