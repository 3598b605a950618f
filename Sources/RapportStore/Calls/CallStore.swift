import RapportCore

/// Phone calls on the phone channels, from a telephony provider's events.
public protocol CallStore: Sendable {
    /// Applies a provider's event to its call in `tx`: the caller resolved to a customer (created
    /// when the number is unknown), the call moved on (`rapport.call.<status>` when it changed),
    /// and a call that ended recorded as a `call` interaction. An event id seen before on the
    /// channel changes nothing: the call as it stands is returned with `replayed`.
    func apply(_ event: CallEvent, channelID: String, actor: Actor, in tx: WriteTransaction) async throws -> (call: Call, replayed: Bool)

    func call(_ id: String) async throws -> Call?

    /// A customer's calls, newest first.
    func calls(ofCustomer customerID: String, limit: Int) async throws -> [Call]
}

/// The SQL implementation of `CallStore`, on SQLite or PostgreSQL.
public struct SQLCallStore: CallStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
