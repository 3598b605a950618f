import RapportCore

/// A message a customer's consent does not allow: not sent, and the step goes on (a campaign does
/// not stop at everyone who said no).
struct MessageSuppressed: Error {
    let reason: String
}

/// Consent, honoured by the process steps that write to customers (`rapport.email`,
/// `rapport.message`): each says why it writes (`purpose`: service by default, marketing or
/// research), and the customer's consent records decide (`ConsentLedger`).
extension SQLProcessStore {
    /// Throws `MessageSuppressed` when the customer's consent does not allow a message on a
    /// channel of `kind` for the step's purpose; the purpose when it does.
    @discardableResult
    func requireConsent(of customerID: String, on kind: ChannelKind, inputs: [String: JSONValue],
                        in tx: WriteTransaction) async throws -> MessagePurpose {
        let purpose = try Self.purpose(inputs)
        let ledger = try await store.consent.ledger(of: customerID, in: tx)
        if case .refused(let why) = ledger.decision(channel: ConsentLedger.consentChannel(of: kind), purpose: purpose) {
            throw MessageSuppressed(reason: why)
        }
        return purpose
    }

    static func purpose(_ inputs: [String: JSONValue]) throws -> MessagePurpose {
        guard let given = inputs["purpose"] else { return .service }
        guard let purpose = given.stringValue.flatMap(MessagePurpose.init(rawValue:)) else {
            throw StoreError(.invalidReference, "purpose must be one of \(MessagePurpose.allCases.map(\.rawValue).joined(separator: ", "))",
                             field: "purpose")
        }
        return purpose
    }
}
