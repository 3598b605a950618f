import RapportCore

/// Consent: what customers said about being contacted — the marketing template's `consent`
/// records, read as a `ConsentLedger` by everything that writes to customers — and the one-click
/// unsubscribe links (RFC 8058) of the marketing email Rapport sends, which record a withdrawal.
public protocol ConsentStore: Sendable {
    /// The customer's consent records, read in `tx`.
    func ledger(of customerID: String, in tx: WriteTransaction) async throws -> ConsentLedger

    /// The customer's consent records as committed now (for a person to see).
    func ledger(of customerID: String) async throws -> ConsentLedger

    /// A new unsubscribe link's token for a message to the customer on `channel` for `purpose`.
    func issueUnsubscribeLink(customerID: String, channel: String, purpose: MessagePurpose, mailID: String,
                              in tx: WriteTransaction) async throws -> String

    func unsubscribeLink(_ token: String) async throws -> UnsubscribeLink?

    /// Records the withdrawal the link stands for (a `consent` record, status withdrawn), once:
    /// used again, it changes nothing. Not found: no such link.
    func unsubscribe(_ token: String, in tx: WriteTransaction) async throws -> UnsubscribeLink
}

/// What one unsubscribe link withdraws.
public struct UnsubscribeLink: Sendable, Equatable {
    public var customerID: String
    public var channel: String
    public var purpose: String
    public var mailID: String
    /// When it was used (the consent record made then); nil until it is.
    public var usedAt: Timestamp?
    public var consentRecordID: String?
}

/// The SQL implementation of `ConsentStore`, on SQLite or PostgreSQL.
public struct SQLConsentStore: ConsentStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
