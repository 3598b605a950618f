/// Someone of the company working on a customer's shared work — writing a note, giving a task,
/// asking another department for a handoff: the actor on the record, their department (a private
/// note's and a handoff's sending department must be theirs), and whether they moderate (managers
/// and admins change other people's notes and act for other departments).
public struct Colleague: Sendable, Equatable {
    public var actor: Actor
    public var departmentID: String?
    /// Managers and admins may edit and delete any note they can see.
    public var moderates: Bool

    public init(actor: Actor, departmentID: String?, moderates: Bool) {
        self.actor = actor
        self.departmentID = departmentID
        self.moderates = moderates
    }

    /// The caller of a request: managers and admins moderate.
    public init(_ principal: Principal) {
        self.init(actor: principal.actor, departmentID: principal.departmentID, moderates: principal.role == .admin || principal.role == .manager)
    }

    public var userID: String? { actor.kind == .user ? actor.id : nil }

    /// Whether this colleague wrote `note` (the same user or key).
    public func wrote(_ note: Note) -> Bool { note.author == actor }
}
