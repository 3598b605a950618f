extension Provenance {
    /// The stored form: `{"hlc": "…", "priority": 0, "source": "…", "channel_id": …, "actor_id": …}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["hlc"] = .string(version.timestamp.description)
        object["priority"] = .integer(Int64(version.sourcePriority))
        object["source"] = .string(version.sourceID)
        if let channelID { object["channel_id"] = .string(channelID) }
        if let actorID { object["actor_id"] = .string(actorID) }
        return .object(object)
    }

    /// Reads the stored form; nil when it is not one.
    public init?(stored value: JSONValue) {
        guard let object = value.objectValue, let hlc = object["hlc"]?.stringValue.flatMap(HybridTimestamp.init),
              let source = object["source"]?.stringValue else { return nil }
        let priority = object["priority"]?.intValue.map(Int.init) ?? 0
        self.init(version: FieldVersion(timestamp: hlc, sourcePriority: priority, sourceID: source),
                  channelID: object["channel_id"]?.stringValue, actorID: object["actor_id"]?.stringValue)
    }

    /// The physical time of the write.
    public var time: Timestamp { Timestamp(microseconds: version.timestamp.milliseconds * 1_000) }

    /// How `include=provenance` shows a value's origin.
    public func describing(_ value: JSONValue) -> JSONValue {
        var object = JSONObject()
        object["value"] = value
        object["channel_id"] = channelID.map(JSONValue.string) ?? .null
        object["actor_id"] = actorID.map(JSONValue.string) ?? .null
        object["time"] = version.timestamp.milliseconds > 0 ? .string(time.rfc3339) : .null
        object["hlc"] = .string(version.timestamp.description)
        return .object(object)
    }
}

extension ElementVersions {
    var json: JSONValue {
        var provenances = ProvenanceForms()
        return json(using: &provenances)
    }

    fileprivate func json(using provenances: inout ProvenanceForms) -> JSONValue {
        var object = JSONObject()
        if let added { object["added"] = provenances.json(of: added) }
        if let removed { object["removed"] = provenances.json(of: removed) }
        object["rank"] = .integer(Int64(rank))
        return .object(object)
    }

    init(stored value: JSONValue) {
        let object = value.objectValue ?? JSONObject()
        self.init(added: object["added"].flatMap(Provenance.init(stored:)),
                  removed: object["removed"].flatMap(Provenance.init(stored:)),
                  rank: object["rank"]?.intValue.map(Int.init) ?? 0)
    }
}

extension CustomerVersions {
    /// The stored form, with keys in a fixed order so equal versions store as equal text.
    public var json: JSONValue {
        // Most fields of a record share the version of the write that made them.
        var provenances = ProvenanceForms()
        var registerObject = JSONObject()
        for key in registers.keys.sorted() { registerObject[key] = registers[key].map { provenances.json(of: $0) } }
        var identityObject = JSONObject()
        for identity in identities.keys.sorted(by: { $0.qualified < $1.qualified }) {
            identityObject[identity.qualified] = identities[identity]?.json(using: &provenances)
        }
        var addressList: [JSONValue] = []
        for key in addresses.keys.sorted() {
            guard let entry = addresses[key], case .object(var object) = entry.versions.json(using: &provenances) else { continue }
            object["address"] = entry.address.json
            addressList.append(.object(object))
        }
        return ["registers": .object(registerObject), "identities": .object(identityObject), "addresses": .array(addressList)]
    }

    /// Reads the stored form; unknown or damaged parts are left out.
    public init(stored value: JSONValue) {
        self.init()
        let object = value.objectValue ?? JSONObject()
        for (key, provenance) in object["registers"]?.objectValue ?? JSONObject() {
            registers[key] = Provenance(stored: provenance)
        }
        for (qualified, state) in object["identities"]?.objectValue ?? JSONObject() {
            guard let identity = Identity(qualified: qualified) else { continue }
            identities[identity] = ElementVersions(stored: state)
        }
        for entry in object["addresses"]?.arrayValue ?? [] {
            guard let address = entry.objectValue?["address"] else { continue }
            let parsed = Address(stored: address)
            addresses[Self.key(of: parsed)] = (parsed, ElementVersions(stored: entry))
        }
    }
}

extension VersionedCustomer {
    /// Per field, the value it holds and where that value came from: registers by key, list
    /// elements under `emails`, `phones`, `identities` and `addresses`.
    public var provenanceJSON: JSONValue {
        var object = JSONObject()
        let keys = ["kind", "name", "given_name", "family_name", "company", "lifecycle_stage", "owner_id"]
            + customer.attributes.keys.map { "attributes.\($0)" }
        for key in keys {
            let value = registerValue(key)
            guard !value.isNull || versions.registers[key] != nil else { continue }
            object[key] = (versions.registers[key] ?? .genesis).describing(value)
        }
        func elements(_ identities: [Identity]) -> JSONValue {
            .array(identities.map { identity in
                (versions.identities[identity]?.added ?? .genesis).describing(.string(identity.value))
            })
        }
        object["emails"] = elements(customer.identities.filter { $0.kind == .email })
        object["phones"] = elements(customer.identities.filter { $0.kind == .phone })
        object["identities"] = .array(customer.identities.map { identity in
            (versions.identities[identity]?.added ?? .genesis).describing(.string(identity.qualified))
        })
        object["addresses"] = .array(customer.addresses.map { address in
            (versions.addresses[CustomerVersions.key(of: address)]?.versions.added ?? .genesis).describing(address.json)
        })
        return .object(object)
    }
}

extension Identity {
    /// Reads the `kind:value` form of stored data; nil when the kind is unknown.
    public init?(qualified: String) {
        guard let colon = qualified.firstIndex(of: ":"),
              let kind = IdentityKind(rawValue: String(qualified[..<colon])) else { return nil }
        self.init(kind: kind, value: String(qualified[qualified.index(after: colon)...]))
    }
}

/// The stored forms of provenances, the last one kept: consecutive fields written together
/// share one and are not built again.
private struct ProvenanceForms {
    private var last: (provenance: Provenance, json: JSONValue)?

    mutating func json(of provenance: Provenance) -> JSONValue {
        if let last, last.provenance == provenance { return last.json }
        let json = provenance.json
        last = (provenance, json)
        return json
    }
}
