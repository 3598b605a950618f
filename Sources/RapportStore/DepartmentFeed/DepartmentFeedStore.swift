import Foundation
import RapportCore

/// What a department's people see of their day and their load: the handoffs that came in and
/// went out (with the SLAs that lapsed), the high-priority conversations that arrived, and — for
/// its manager — what each member has open now.
public protocol DepartmentFeedStore: Sendable {
    /// The department's day, newest first (or oldest first), one page at a time.
    func feed(of departmentID: String, on day: DepartmentDay, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<DepartmentFeedEntry>

    /// What the day adds up to, and what waits for the department's answer now.
    func summary(of departmentID: String, on day: DepartmentDay) async throws -> DepartmentDaySummary

    /// Each active member's open work at `now`, and the department's work that is no one's yet.
    func load(of departmentID: String, at now: Timestamp) async throws -> DepartmentLoad

    /// The time zone the department's days are counted in: its business hours', UTC without
    /// them; nil when there is no such department.
    func timeZone(of departmentID: String) async throws -> TimeZone?

    /// The store's time.
    func now() -> Timestamp
}

/// The SQL implementation of `DepartmentFeedStore`, on SQLite or PostgreSQL.
public struct SQLDepartmentFeedStore: DepartmentFeedStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func now() -> Timestamp { clock() }

    public func timeZone(of departmentID: String) async throws -> TimeZone? {
        guard let hours = try await store.handoffs.businessHours(of: departmentID) else { return nil }
        return hours?.timeZone ?? TimeZone(identifier: "UTC")
    }
}
