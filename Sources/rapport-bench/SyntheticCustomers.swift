import RapportCore

/// Customers made up for load tests: distinct people, a share of them entered a second time
/// through another channel with the kinds of slips people make (a typo in a name, another email,
/// a swapped birth date digit, a missing field).
struct SyntheticCustomers {
    static let givenNames = ["james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william", "elizabeth",
                             "david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen",
                             "wei", "fang", "li", "na", "jun", "ana", "joao", "maria", "lucas", "sofia", "noah", "emma", "liam", "olivia"]
    /// Family names are built from syllables (tens of thousands of them, a few far more common
    /// than the rest, as in real populations).
    static let syllables = ["an", "ber", "cal", "dor", "el", "fen", "gar", "hol", "ing", "jor", "kel", "lan", "mor", "nov",
                            "ost", "par", "quin", "ros", "sten", "tal", "ul", "ver", "wen", "yor", "zan", "bro", "cha", "dri",
                            "fal", "gro", "hin", "kra", "lis", "mar", "nel", "pet", "rad", "sil", "tor", "vic"]
    static let commonFamilyNames = ["smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "wang", "li",
                                    "zhang", "silva", "santos", "muller", "schmidt", "nguyen"]
    static let streets = ["main street", "high street", "park avenue", "oak road", "station road", "church lane", "mill lane",
                          "victoria road", "green lane", "king street", "queen street", "bridge road"]
    static let cities = ["springfield", "riverton", "lakeside", "fairview", "greenville", "madison", "georgetown", "salem",
                         "clinton", "franklin", "arlington", "ashland"]

    var random: SeededRandom
    /// Share of people entered twice.
    let duplicateShare: Double

    /// `count` customers; each has the number of the person it stands for.
    mutating func make(_ count: Int) -> [(customer: NewCustomer, person: Int)] {
        var result: [(NewCustomer, Int)] = []
        result.reserveCapacity(count)
        var person = 0
        while result.count < count {
            let original = makePerson(person)
            result.append((original, person))
            if result.count < count, Double(random.next() % 10_000) / 10_000 < duplicateShare {
                result.append((variant(of: original, person: person), person))
            }
            person += 1
        }
        return result
    }

    private mutating func pick(_ list: [String]) -> String { list[Int(random.next() % UInt64(list.count))] }

    private mutating func familyName() -> String {
        if random.next() % 10 == 0 { return pick(Self.commonFamilyNames) }
        let parts = 2 + Int(random.next() % 2)
        return (0..<parts).map { _ in pick(Self.syllables) }.joined()
    }

    private mutating func makePerson(_ number: Int) -> NewCustomer {
        let given = pick(Self.givenNames)
        let family = familyName()
        let birth = String(format: "%04d%02d%02d", 1940 + Int(random.next() % 65), 1 + Int(random.next() % 12), 1 + Int(random.next() % 28))
        let address = Address(line1: "\(1 + random.next() % 300) \(pick(Self.streets))", city: pick(Self.cities),
                              postalCode: String(10_000 + random.next() % 80_000), country: "US")
        return NewCustomer(name: "\(given) \(family)", givenName: given, familyName: family,
                           identities: [Identity(kind: .email, value: "\(given).\(family).\(number)@example.com")],
                           addresses: [address], attributes: ["date_of_birth": .string(birth)])
    }

    private mutating func variant(of original: NewCustomer, person: Int) -> NewCustomer {
        var copy = original
        copy.identities = [Identity(kind: .email, value: "p\(person)@mail.example")]
        switch random.next() % 4 {
        case 0: copy.familyName = typo(copy.familyName ?? "")
        case 1: copy.givenName = typo(copy.givenName ?? "")
        case 2: copy.attributes["date_of_birth"] = copy.attributes["date_of_birth"]?.stringValue.map { .string(swapDigits($0)) }
        default: copy.addresses = []
        }
        copy.name = [copy.givenName, copy.familyName].compactMap { $0 }.joined(separator: " ")
        return copy
    }

    private mutating func typo(_ text: String) -> String {
        var characters = Array(text)
        guard characters.count > 2 else { return text }
        let position = 1 + Int(random.next() % UInt64(characters.count - 2))
        characters[position] = Character(UnicodeScalar(UInt8(97 + random.next() % 26)))
        return String(characters)
    }

    private func swapDigits(_ text: String) -> String {
        var characters = Array(text)
        guard characters.count == 8 else { return text }
        characters.swapAt(6, 7)
        return String(characters)
    }
}

