/// A batch of customer changes a channel made offline (a store terminal, a mobile app), each with
/// the hybrid-clock time it was made at and an id of the client's own, so a push can be resent.
public struct SyncPush: Sendable, Equatable {
    public var channelID: String
    public var changes: [SyncChange]

    /// How many changes one push may carry.
    public static let maxChanges = 500
}

/// One offline change to one customer.
public struct SyncChange: Sendable, Equatable {
    /// Unique per channel; a change pushed again with the same id is applied once.
    public var changeID: String
    public var target: SyncTarget
    public var timestamp: HybridTimestamp
    public var fieldChanges: [CustomerFieldChange]
    /// Where this change sits in the request, for error fields: `changes[3]`.
    public var path: String
}

/// Which customer a change is for: a known id, or an identity (a customer the device created
/// offline is created on first push, or found when someone else already holds the identity).
public enum SyncTarget: Sendable, Equatable {
    case customer(String)
    case identity(Identity)
}

extension SyncPush {
    /// Validates a push body, naming every bad field by its path (`changes[2].set.name`).
    public static func read(_ body: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> SyncPush {
        var reader = try InputReader(body)
        let channelID = reader.string("channel_id", required: true, maxLength: 64)
        var changes: [SyncChange] = []
        switch reader.value("changes") {
        case .array(let elements)?:
            if elements.count > maxChanges { reader.fail("changes", "must have at most \(maxChanges) entries") }
            // A change id repeated within one push is a resend like any other: applied once, the
            // repeat reported as a duplicate of the first (a client that retried its outbox twice).
            for (index, element) in elements.prefix(maxChanges).enumerated() {
                do throws(ValidationFailure) {
                    changes.append(try SyncChange.read(element, path: "changes[\(index)]", normalizer: normalizer))
                } catch {
                    reader.absorb(error)
                }
            }
        case nil: reader.fail("changes", "is required")
        case let other?: reader.fail("changes", "expected an array of changes, got \(other.typeName)")
        }
        try reader.finish()
        return SyncPush(channelID: channelID ?? "", changes: changes)
    }
}

extension SyncChange {
    static func read(_ value: JSONValue, path: String, normalizer: IdentityNormalizer) throws(ValidationFailure) -> SyncChange {
        var reader = try InputReader(value, path: path)
        let changeID = reader.string("change_id", required: true, maxLength: 200)
        var timestamp: HybridTimestamp?
        let hlc = reader.value("hlc")
        if case .string(let text)? = hlc {
            timestamp = HybridTimestamp(text)
        } else if let milliseconds = hlc?.integralValue, milliseconds >= 0 {
            timestamp = HybridTimestamp(milliseconds: milliseconds)
        }
        if hlc == nil {
            reader.fail("hlc", "is required: the hybrid clock time the change was made at")
        } else if timestamp == nil {
            reader.fail("hlc", "must be a hybrid clock reading \"milliseconds-counter\" or milliseconds")
        }
        let customerID = reader.string("customer_id", maxLength: 64)
        let identityText = reader.string("identity", maxLength: 500)
        var target: SyncTarget?
        switch (customerID, identityText) {
        case (let id?, nil): target = .customer(id)
        case (nil, let text?):
            do throws(IdentityError) {
                target = .identity(try normalizer.parse(text))
            } catch {
                reader.fail("identity", error.message)
            }
        case (nil, nil): reader.fail("customer_id", "give customer_id or identity")
        case (_?, _?): reader.fail("identity", "give customer_id or identity, not both")
        }
        var fieldChanges: [CustomerFieldChange] = []
        if let set = reader.value("set") {
            do throws(ValidationFailure) {
                fieldChanges += try Self.readSet(set, path: reader.field("set"), normalizer: normalizer)
            } catch {
                reader.absorb(error)
            }
        }
        for (key, adding) in [("add", true), ("remove", false)] {
            guard let lists = reader.value(key) else { continue }
            do throws(ValidationFailure) {
                fieldChanges += try Self.readLists(lists, path: reader.field(key), adding: adding, normalizer: normalizer)
            } catch {
                reader.absorb(error)
            }
        }
        if reader.issues.isEmpty, fieldChanges.isEmpty { reader.fail("set", "the change changes nothing: give set, add or remove") }
        try reader.finish()
        guard let changeID, let timestamp, let target else { throw ValidationFailure(reader.issues) }
        return SyncChange(changeID: changeID, target: target, timestamp: timestamp, fieldChanges: fieldChanges, path: path)
    }

    /// Scalar fields and attributes, as a merge patch; lists go through `add` and `remove`.
    private static func readSet(_ value: JSONValue, path: String, normalizer: IdentityNormalizer) throws(ValidationFailure) -> [CustomerFieldChange] {
        if let object = value.objectValue {
            let lists = ["emails", "phones", "identities", "addresses"].filter { object[$0] != nil }
            if !lists.isEmpty {
                throw ValidationFailure(lists.map { FieldIssue(field: "\(path).\($0)", message: "lists change through add and remove") })
            }
        }
        let patch: CustomerPatch
        do throws(ValidationFailure) {
            patch = try CustomerPatch.read(value, normalizer: normalizer)
        } catch {
            throw ValidationFailure(error.issues.map { FieldIssue(field: "\(path).\($0.field)", message: $0.message) })
        }
        return patch.registerChanges
    }

    private static func readLists(_ value: JSONValue, path: String, adding: Bool,
                                  normalizer: IdentityNormalizer) throws(ValidationFailure) -> [CustomerFieldChange] {
        var reader = try InputReader(value, path: path)
        let identities = (IdentityInput.read(&reader, key: "emails", kind: .email, normalizer: normalizer) ?? [])
            + (IdentityInput.read(&reader, key: "phones", kind: .phone, normalizer: normalizer) ?? [])
            + (IdentityInput.read(&reader, key: "identities", kind: nil, normalizer: normalizer) ?? [])
        let addresses = AddressInput.read(&reader) ?? []
        try reader.finish()
        var changes: [CustomerFieldChange] = []
        for (rank, identity) in Customer.canonicalOrder(identities).enumerated() {
            changes.append(adding ? .addIdentity(identity, rank: rank) : .removeIdentity(identity))
        }
        for (rank, address) in addresses.enumerated() {
            changes.append(adding ? .addAddress(address, rank: rank) : .removeAddress(address))
        }
        return changes
    }
}

extension CustomerPatch {
    /// Every scalar field and attribute this patch names, as writes whatever the current values:
    /// a write with a version must be recorded even when it repeats the value, so replicas agree.
    public var registerChanges: [CustomerFieldChange] {
        var changes: [CustomerFieldChange] = []
        if let kind { changes.append(.kind(kind)) }
        if let name { changes.append(.name(name)) }
        if let value = givenName.written { changes.append(.givenName(value)) }
        if let value = familyName.written { changes.append(.familyName(value)) }
        if let value = company.written { changes.append(.company(value)) }
        if let value = lifecycleStage.written { changes.append(.lifecycleStage(value)) }
        if let value = ownerID.written { changes.append(.ownerID(value)) }
        for (key, value) in attributes ?? JSONObject() { changes.append(.attribute(key, value.isNull ? nil : value)) }
        return changes
    }
}

extension PatchValue {
    /// The value a patch writes: `.some(nil)` to clear, nil when the field is left alone.
    var written: Value?? {
        switch self {
        case .unchanged: nil
        case .clear: .some(nil)
        case .set(let value): .some(value)
        }
    }
}
