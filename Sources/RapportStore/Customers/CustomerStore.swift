import RapportCore

/// Customers and their identities: the shared record every channel resolves to.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol CustomerStore: Sendable {
    /// A customer that is not deleted.
    func customer(_ id: String) async throws -> Customer?

    /// The customer an identity resolves to.
    func customer(holding identity: Identity) async throws -> Customer?

    /// A page of customers in id (creation) order; only those every condition of `filter` selects.
    func customers(matching filter: CustomerFilter, limit: Int, cursor: String?) async throws -> Page<Customer>

    /// The attribute keys the customers a filter selects have, in name order, at most `limit`.
    func attributeKeys(matching filter: CustomerFilter, limit: Int) async throws -> [String]

    /// Up to `limit` customers for a search box: exact identities first, then identities, names
    /// and companies that start with what was typed.
    func searchCustomers(_ query: CustomerSearchQuery, limit: Int) async throws -> [Customer]

    /// Makes a new customer ready to be created by `actor` before the writer takes it (its id,
    /// versions, row and event); the import creates it with `importCustomers(_:prepared:…)`.
    func prepare(_ new: NewCustomer, actor: Actor, channelID: String?) -> PreparedCustomer

    /// Creates a customer with its identities; 409 when another customer holds one of them.
    func createCustomer(_ new: NewCustomer, actor: Actor, channelID: String?, in tx: WriteTransaction) async throws -> Customer

    /// Applies a merge patch; `expectedVersion` (from `If-Match`) must be current when given.
    func patchCustomer(id: String, patch: CustomerPatch, expectedVersion: Int64?, actor: Actor,
                       in tx: WriteTransaction) async throws -> Customer

    /// Marks a customer deleted and releases its identities so they can resolve to someone else.
    func deleteCustomer(id: String, expectedVersion: Int64?, actor: Actor, in tx: WriteTransaction) async throws

    /// Adds one identity to a customer; 409 names the customer that already holds it.
    func addIdentity(_ identity: Identity, to id: String, actor: Actor, in tx: WriteTransaction) async throws -> Customer

    func removeIdentity(_ identity: Identity, from id: String, actor: Actor, in tx: WriteTransaction) async throws -> Customer

    /// The customer an identity resolves to, within this transaction.
    func customerID(holding identity: Identity, in tx: WriteTransaction) async throws -> String?
}

/// The SQL implementation of `CustomerStore`, on SQLite or PostgreSQL.
public struct SQLCustomerStore: CustomerStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
