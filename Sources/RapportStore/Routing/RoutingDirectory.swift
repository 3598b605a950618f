import RapportCore
import SQLKit

/// Departments, queues and channel kinds held in memory by routing, so that routing a message
/// reads them without a statement each. Reloaded when a department, queue or channel changes.
public struct RoutingDirectory: Sendable {
    /// Department id and key → id.
    var departments: [String: String] = [:]
    /// Department keys.
    public internal(set) var departmentKeys: Set<String> = []
    var queues: [String: ConversationQueue] = [:]
    /// `departmentID/key` → queue id.
    var queueKeys: [String: String] = [:]
    var channelKinds: [String: String] = [:]

    public init() {}

    func departmentID(for idOrKey: String) -> String? { departments[idOrKey] }

    func queue(_ idOrKey: String, in departmentID: String?) -> ConversationQueue? {
        if let found = queues[idOrKey] { return found }
        guard let departmentID, let id = queueKeys["\(departmentID)/\(idOrKey)"] else { return nil }
        return queues[id]
    }
}

extension SQLRoutingStore {
    /// Every department, queue (with members) and channel kind, read now.
    public func routingDirectory() async throws -> RoutingDirectory {
        var directory = RoutingDirectory()
        for department in try await store.organization.departments() {
            directory.departments[department.id] = department.id
            directory.departments[department.key] = department.id
            directory.departmentKeys.insert(department.key)
        }
        for queue in try await queues() {
            directory.queues[queue.id] = queue
            directory.queueKeys["\(queue.departmentID)/\(queue.key)"] = queue.id
        }
        for channel in try await store.organization.channels() { directory.channelKinds[channel.id] = channel.kind.rawValue }
        return directory
    }
}

extension SQLRoutingStore {
    /// The id of a department given by id or key, from the directory when given.
    func departmentID(for idOrKey: String, directory: RoutingDirectory?, in tx: WriteTransaction) async throws -> String? {
        if let directory { return directory.departmentID(for: idOrKey) }
        return try await departmentID(for: idOrKey, in: tx)
    }

    /// A queue by id, or by key within a department, from the directory when given.
    func queue(_ idOrKey: String, in departmentID: String?, directory: RoutingDirectory?,
               in tx: WriteTransaction) async throws -> ConversationQueue? {
        if let directory { return directory.queue(idOrKey, in: departmentID) }
        return try await queue(idOrKey, in: departmentID, in: tx)
    }

    /// A queue by id, from the directory when given.
    func queue(id: String, directory: RoutingDirectory?, in tx: WriteTransaction) async throws -> ConversationQueue? {
        if let directory { return directory.queues[id] }
        return try await QueueRows.find(id: id, on: tx.database)
    }

    /// The kind of a channel, from the directory when given.
    func channelKind(_ channelID: String, directory: RoutingDirectory?, in tx: WriteTransaction) async throws -> String? {
        if let kind = directory?.channelKinds[channelID] { return kind }
        return try await tx.firstRow("SELECT kind FROM channels WHERE id = \(bind: channelID)")?.string("kind")
    }
}
