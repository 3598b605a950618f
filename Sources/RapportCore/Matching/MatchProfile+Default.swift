extension MatchProfile {
    /// A profile for people in a CRM: names, emails, phones, postal address and
    /// `attributes.date_of_birth`, blocked on shared contacts, names, birth dates and addresses.
    public static let `default` = MatchProfile(
        fields: [
            MatchField("name", source: .name, comparator: .name, termFrequency: true),
            MatchField("email", source: .emails, comparator: FieldComparator.damerauLevenshtein([1])),
            MatchField("phone", source: .phones, comparator: FieldComparator.damerauLevenshtein([1])),
            MatchField("date_of_birth", source: .attribute("date_of_birth"), comparator: .date),
            MatchField("house_number", source: .addressHouseNumber, comparator: .exact),
            MatchField("street", source: .addressStreet, comparator: .place),
            MatchField("postal_code", source: .addressPostalCode, comparator: FieldComparator.damerauLevenshtein([1]),
                       termFrequency: true),
            MatchField("city", source: .addressCity, comparator: .place, termFrequency: true),
        ],
        blockingRules: [
            .on(.emails),
            .on(.phones),
            BlockingRule([BlockingKey(.name, transform: .sortedWords)]),
            BlockingRule([BlockingKey(.attribute("date_of_birth"), normalization: .date),
                          BlockingKey(.name, transform: .prefix(1))]),
            .on(.addressPostalCode, .addressHouseNumber),
        ],
        thresholds: MatchThresholds(review: 0.5, autoMerge: 0.999),
        maximumBlockSize: 500
    )
}
