/// Whether a merge can be undone exactly, decided from the customers as the merge left them and
/// as they are now: undo restores the snapshots taken before the merge, so any later change to
/// the survivor, or an absorbed customer that moved on, would be lost and blocks it.
public enum MergeUndoCheck {
    /// One reason the undo would lose something.
    public struct Blocking: Sendable, Equatable {
        public var customerID: String
        public var reason: String
        /// The survivor's fields changed since the merge, when that is the reason.
        public var fields: [String]?

        public init(customerID: String, reason: String, fields: [String]? = nil) {
            self.customerID = customerID
            self.reason = reason
            self.fields = fields
        }

        public var json: JSONValue {
            var object: JSONObject = ["customer_id": .string(customerID), "reason": .string(reason)]
            if let fields { object["fields"] = .array(fields.map(JSONValue.string)) }
            return .object(object)
        }
    }

    /// What blocks undoing a merge into `survivorAfter` (the survivor as the merge wrote it), given
    /// the survivor now and, per absorbed id, the customer it now merges into (nil: none, or gone).
    /// Empty: the undo is exact.
    public static func blocking(survivorAfter: Customer, survivorNow: Customer?, absorbedIDs: [String],
                                absorbedNowMergedInto: [String: String?]) -> [Blocking] {
        let survivorID = survivorAfter.id
        var blocking: [Blocking] = []
        if let survivorNow {
            if let other = survivorNow.mergedInto {
                blocking.append(Blocking(customerID: survivorID, reason: "was itself merged into \(other); undo that merge first"))
            } else if survivorNow.deletedAt != nil {
                blocking.append(Blocking(customerID: survivorID, reason: "was deleted after the merge"))
            } else if survivorNow.version != survivorAfter.version {
                blocking.append(Blocking(
                    customerID: survivorID,
                    reason: "changed after the merge (version \(survivorAfter.version) → \(survivorNow.version))",
                    fields: VersionedCustomer.changedFields(from: survivorAfter, to: survivorNow)))
            }
        } else {
            blocking.append(Blocking(customerID: survivorID, reason: "no longer exists"))
        }
        for id in absorbedIDs where (absorbedNowMergedInto[id] ?? nil) != survivorID {
            blocking.append(Blocking(customerID: id, reason: "no longer merged into the survivor"))
        }
        return blocking
    }
}
