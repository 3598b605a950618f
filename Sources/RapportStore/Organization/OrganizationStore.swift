import RapportCore

/// Departments, users and channels.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol OrganizationStore: Sendable {
    func insertChannel(kind: ChannelKind, name: String, settings: JSONObject, actor: Actor, in tx: WriteTransaction) async throws -> Channel

    func updateChannel(id: String, changes: ChannelChanges, actor: Actor, in tx: WriteTransaction) async throws -> Channel

    func deleteChannel(id: String, actor: Actor, in tx: WriteTransaction) async throws

    func channels() async throws -> [Channel]

    func channel(_ id: String) async throws -> Channel?

    @discardableResult
    func insertDepartment(key: String, name: String, description: String?, actor: Actor, in tx: WriteTransaction) async throws -> Department

    func updateDepartment(id: String, changes: DepartmentChanges, actor: Actor, in tx: WriteTransaction) async throws -> Department

    func deleteDepartment(id: String, actor: Actor, in tx: WriteTransaction) async throws

    func departments() async throws -> [Department]

    /// A department by id, or by key (`sales`).
    func department(_ idOrKey: String) async throws -> Department?

    func insertUser(_ changes: UserChanges, actor: Actor, in tx: WriteTransaction) async throws -> User

    func updateUser(id: String, changes: UserChanges, actor: Actor, in tx: WriteTransaction) async throws -> User

    func users() async throws -> [User]

    func user(_ id: String) async throws -> User?
}

/// The SQL implementation of `OrganizationStore`, on SQLite or PostgreSQL.
public struct SQLOrganizationStore: OrganizationStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
