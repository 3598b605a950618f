import Crypto
import Foundation
import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    public func deploy(_ document: BPMNDocument, xml: String, by actor: Actor, in tx: WriteTransaction) async throws -> [ProcessDeployment] {
        let checksum = SHA256.hash(data: Data(xml.utf8)).map { String(format: "%02x", $0) }.joined()
        var deployed: [ProcessDeployment] = []
        for process in document.processes {
            let newest = try await tx.firstRow("""
                SELECT id, version, checksum FROM process_definitions WHERE process_key = \(bind: process.id) ORDER BY version DESC LIMIT 1
                """)
            if let newest, try newest.string("checksum") == checksum, let same = try await definition(id: try newest.string("id"), in: tx) {
                deployed.append(ProcessDeployment(process: same, created: false))
                continue
            }
            try await checkBusinessHours(of: process, in: tx)
            let version = (try newest?.int64("version") ?? 0) + 1
            let now = tx.now()
            let made = DeployedProcess(id: tx.newID("prd"), key: process.id, version: version, checksum: checksum, deployedBy: actor,
                                       deployedAt: now, process: process, diagram: document.diagram)
            try await tx.execute("""
                INSERT INTO process_definitions (id, process_key, version, name, xml, checksum, deployed_by, deployed_at)
                VALUES (\(bind: made.id), \(bind: made.key), \(bind: version), \(bind: process.name), \(bind: xml), \(bind: checksum),
                        \(bind: actor.json.jsonString), \(bind: now.microseconds))
                """)
            try await scheduleStartTimers(of: made, in: tx)
            tx.append(.change("process_definition", "deployed", subject: made.key, record: made.json(model: false), changedFields: [], actor: actor))
            deployed.append(ProcessDeployment(process: made, created: true))
        }
        return deployed
    }

    public func definitions(limit: Int, cursor: String?) async throws -> Page<DeployedProcess> {
        var query: SQLQueryString = """
            SELECT d.id, d.process_key, d.version, d.xml, d.checksum, d.deployed_by, d.deployed_at FROM process_definitions d
            WHERE d.version = (SELECT MAX(version) FROM process_definitions n WHERE n.process_key = d.process_key)
            """
        if let cursor { query += " AND d.process_key > \(bind: try ListCursor.decode(cursor))" }
        query += " ORDER BY d.process_key LIMIT \(bind: limit + 1)"
        let finalQuery = query
        let rows = try await read { try await $0.raw(finalQuery).all() }
        let items = try rows.prefix(limit).map(decode)
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.key) } : nil)
    }

    public func definition(key: String, version: Int64?) async throws -> DeployedProcess? {
        let query: SQLQueryString = version.map {
            "\(Self.definitionColumns) WHERE process_key = \(bind: key) AND version = \(bind: $0)"
        } ?? "\(Self.definitionColumns) WHERE process_key = \(bind: key) ORDER BY version DESC LIMIT 1"
        guard let row = try await read({ try await $0.raw(query).first() }) else { return nil }
        return try decode(row)
    }

    /// The deployed version with this id, from memory when it was read before.
    public func definition(id: String, in tx: WriteTransaction? = nil) async throws -> DeployedProcess? {
        if let cached = store.processDefinitions.get(id) { return cached }
        let query: SQLQueryString = "\(Self.definitionColumns) WHERE id = \(bind: id)"
        let row: (any SQLRow)? = if let tx { try await tx.firstRow(query) } else { try await read { try await $0.raw(query).first() } }
        return try row.map(decode)
    }

    static let definitionColumns: SQLQueryString = "SELECT id, process_key, version, xml, checksum, deployed_by, deployed_at FROM process_definitions"

    private func decode(_ row: any SQLRow) throws -> DeployedProcess {
        let id = try row.string("id")
        if let cached = store.processDefinitions.get(id) { return cached }
        let key = try row.string("process_key")
        let document: BPMNDocument
        do {
            document = try BPMNReader.read(try row.string("xml"))
        } catch {
            throw StoreError(.unavailable, "the stored process \(key) no longer reads: \(error)")
        }
        guard let process = document.process(key) else {
            throw StoreError(.unavailable, "the stored file of process \(key) has no process \(key)")
        }
        let deployed = DeployedProcess(
            id: id, key: key, version: try row.int64("version"), checksum: try row.string("checksum"),
            deployedBy: Actor(json: try? JSONParser.parse(try row.string("deployed_by"))) ?? .system,
            deployedAt: try row.timestamp("deployed_at"), process: process, diagram: document.diagram)
        store.processDefinitions.put(deployed)
        return deployed
    }
}
