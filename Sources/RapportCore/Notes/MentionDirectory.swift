/// The people, departments and queues a note may mention, by id and by handle: a snapshot the
/// store reads in the note's transaction, so that resolving mentions is pure.
public struct MentionDirectory: Sendable {
    /// Someone or something that can be mentioned, with the users a mention of it reaches.
    public struct Entry: Sendable, Equatable {
        public var kind: MentionKind
        public var id: String
        public var name: String
        /// What to type after `@`: a department's or queue's key, a user's email local part.
        public var handle: String
        /// A user's or queue's department; a department's own id.
        public var departmentID: String?
        /// The active users a mention reaches: the user, the department's users, the queue's members.
        public var userIDs: [String]

        public init(kind: MentionKind, id: String, name: String, handle: String, departmentID: String?, userIDs: [String]) {
            self.kind = kind
            self.id = id
            self.name = name
            self.handle = handle
            self.departmentID = departmentID
            self.userIDs = userIDs
        }

        public var json: JSONValue {
            var object: JSONObject = ["kind": .string(kind.rawValue), "id": .string(id), "name": .string(name), "handle": .string(handle)]
            if kind != .department { object["department_id"] = departmentID.map(JSONValue.string) ?? .null }
            return .object(object)
        }
    }

    public struct UserRow: Sendable {
        public var id: String
        public var name: String
        public var email: String
        public var departmentID: String?

        public init(id: String, name: String, email: String, departmentID: String?) {
            self.id = id
            self.name = name
            self.email = email
            self.departmentID = departmentID
        }
    }

    public struct QueueRow: Sendable {
        public var id: String
        public var key: String
        public var name: String
        public var departmentID: String
        public var memberIDs: [String]

        public init(id: String, key: String, name: String, departmentID: String, memberIDs: [String]) {
            self.id = id
            self.key = key
            self.name = name
            self.departmentID = departmentID
            self.memberIDs = memberIDs
        }
    }

    public private(set) var entries: [Entry] = []
    private var byID: [String: Int] = [:]
    /// Lower-cased handle (and, for users, name without spaces) → entries, per kind.
    private var byHandle: [MentionKind: [String: [Int]]] = [:]

    /// Active users, departments (id, key, name) and queues.
    public init(users: [UserRow], departments: [(id: String, key: String, name: String)], queues: [QueueRow]) {
        let active = Set(users.map(\.id))
        for department in departments {
            let members = users.filter { $0.departmentID == department.id }.map(\.id)
            add(Entry(kind: .department, id: department.id, name: department.name, handle: department.key, departmentID: department.id,
                      userIDs: members), handles: [department.key])
        }
        for queue in queues {
            add(Entry(kind: .queue, id: queue.id, name: queue.name, handle: queue.key, departmentID: queue.departmentID,
                      userIDs: queue.memberIDs.filter(active.contains)), handles: [queue.key])
        }
        for user in users {
            let local = String(user.email.prefix { $0 != "@" })
            let squeezed = String(user.name.filter { !$0.isWhitespace })
            add(Entry(kind: .user, id: user.id, name: user.name, handle: local, departmentID: user.departmentID, userIDs: [user.id]),
                handles: [local, squeezed])
        }
    }

    private mutating func add(_ entry: Entry, handles: [String]) {
        let index = entries.count
        entries.append(entry)
        byID["\(entry.kind.rawValue):\(entry.id)"] = index
        for handle in Set(handles.map { $0.lowercased() }) where !handle.isEmpty {
            byHandle[entry.kind, default: [:]][handle, default: []].append(index)
        }
    }

    /// The users `mentions` reach, each once.
    public func users(reachedBy mentions: [ResolvedMention]) -> [String] {
        var seen: Set<String> = []
        return mentions.flatMap { entry(kind: $0.kind, id: $0.id)?.userIDs ?? [] }.filter { seen.insert($0).inserted }
    }

    public func entry(kind: MentionKind, id: String) -> Entry? {
        byID["\(kind.rawValue):\(id)"].map { entries[$0] }
    }

    /// The entries a hand-typed handle names: departments first, then queues, then users (so
    /// `@sales` is the department even if someone's address is sales@…); several of the first kind
    /// that has any mean the handle is ambiguous.
    public func entries(handle: String) -> [Entry] {
        let key = handle.lowercased()
        for kind in [MentionKind.department, .queue, .user] {
            if let found = byHandle[kind]?[key], !found.isEmpty { return found.map { entries[$0] } }
        }
        return []
    }

    /// What autocomplete offers for `query`: entries whose name, handle or a word of the name starts
    /// with it (case-insensitive; for names in Chinese, any character may start the match).
    public func suggestions(for query: String, limit: Int) -> [Entry] {
        let needle = query.lowercased().trimmingWhitespace()
        guard !needle.isEmpty else { return Array(entries.prefix(limit)) }
        return Array(entries.filter { entry in
            let name = entry.name.lowercased()
            if entry.handle.lowercased().hasPrefix(needle) || name.hasPrefix(needle) { return true }
            if name.split(whereSeparator: { $0.isWhitespace || $0 == "-" || $0 == "." }).contains(where: { $0.hasPrefix(needle) }) { return true }
            return !needle.unicodeScalars.contains(where: \.isASCII) && name.contains(needle)
        }.prefix(limit))
    }
}
