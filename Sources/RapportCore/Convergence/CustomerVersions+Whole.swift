/// The compact stored form of a customer's versions when one write made the whole customer (an
/// import's or ingest's new customer): `{"whole": provenance}` instead of the same provenance
/// repeated for every field, list element and address — a third of the bytes of such a row.
extension CustomerVersions {
    /// The versions `customer` has when every field it holds was written by `provenance`, as
    /// creating it with those fields gives them.
    public init(whole customer: Customer, by provenance: Provenance) {
        self = NewCustomer(whole: customer).versioned(id: customer.id, at: customer.createdAt, by: provenance).versions
    }

    /// The stored form of the versions of `record`, just created from `new` by `provenance`:
    /// compact when reading it back gives these versions exactly — when the customer holds what
    /// `new` gave it in the same order (identities given out of the customer's order rank
    /// differently from it) — else the full form (`json`).
    public static func storedForm(ofCreated record: VersionedCustomer, from new: NewCustomer, by provenance: Provenance) -> JSONValue {
        NewCustomer(whole: record.customer) == new ? ["whole": provenance.json] : record.versions.json
    }

    /// Reads either stored form back, for the customer it belongs to.
    public init(stored value: JSONValue, of customer: Customer) {
        if let whole = value.objectValue?["whole"].flatMap(Provenance.init(stored:)) {
            self.init(whole: customer, by: whole)
        } else {
            self.init(stored: value)
        }
    }
}

extension NewCustomer {
    /// Every field `customer` holds, as a new customer.
    init(whole customer: Customer) {
        self.init(kind: customer.kind, name: customer.name, givenName: customer.givenName, familyName: customer.familyName,
                  identities: customer.identities, addresses: customer.addresses, company: customer.company,
                  lifecycleStage: customer.lifecycleStage, ownerID: customer.ownerID, attributes: customer.attributes)
    }
}
