import Foundation
import RapportCore
import Testing

@Suite("Conversations: threading, assignment, business hours")
struct ConversationRoutingTests {
    static func at(_ seconds: Int64) -> Timestamp { Timestamp(microseconds: seconds * 1_000_000) }

    static func interaction(channel: String = "chn_1", kind: InteractionKind = .message, at seconds: Int64, thread: String? = nil) -> Interaction {
        Interaction(id: "int_\(seconds)", customerID: "cus_1", channelID: channel, direction: .inbound, kind: kind, subject: nil,
                    body: "hi", metadata: thread.map { ["thread_id": .string($0)] } ?? [:], occurredAt: at(seconds),
                    externalID: nil, createdAt: at(seconds))
    }

    static func conversation(_ id: String, channel: String = "chn_1", last seconds: Int64, thread: String? = nil,
                             status: ConversationStatus = .open) -> Conversation {
        Conversation(id: id, customerID: "cus_1", channelID: channel, threadKey: thread, subject: nil, status: status,
                     lastInteractionAt: at(seconds), createdAt: at(seconds), updatedAt: at(seconds))
    }

    @Test("threading: a thread key wins; otherwise the recent active conversation on the channel; else a new one")
    func threading() {
        let threading = ConversationThreading(window: .seconds(3_600))
        let recent = Self.conversation("cnv_recent", last: 1_000)
        let keyed = Self.conversation("cnv_keyed", last: 10, thread: "T-1", status: .resolved)
        #expect(threading.place(Self.interaction(at: 2_000), candidates: [recent, keyed]) == .join("cnv_recent"))
        #expect(threading.place(Self.interaction(at: 1_000 + 3_601), candidates: [recent]) == .open(threadKey: nil))
        #expect(threading.place(Self.interaction(at: 99_999, thread: "T-1"), candidates: [recent, keyed]) == .join("cnv_keyed"))
        #expect(threading.place(Self.interaction(at: 2_000, thread: "T-2"), candidates: [recent]) == .open(threadKey: "T-2"))
        #expect(threading.place(Self.interaction(channel: "chn_2", at: 2_000), candidates: [recent]) == .open(threadKey: nil))
        let resolved = Self.conversation("cnv_done", last: 1_900, status: .resolved)
        #expect(threading.place(Self.interaction(at: 2_000), candidates: [resolved]) == .open(threadKey: nil))
        #expect(threading.place(Self.interaction(kind: .pageView, at: 2_000), candidates: [recent]) == .none)
    }

    static func candidate(_ id: String, status: AgentStatus = .online, capacity: Double = 5, skills: Set<String> = [],
                          load: Double = 0, active: Int = 0) -> AssignmentPolicy.Candidate {
        AssignmentPolicy.Candidate(userID: id, status: status, capacity: capacity, skills: skills, load: load, activeCount: active)
    }

    @Test("round robin takes turns and skips members who are away, full or lack a skill")
    func roundRobin() {
        let members = [Self.candidate("a"), Self.candidate("b", status: .away), Self.candidate("c", load: 5), Self.candidate("d")]
        #expect(AssignmentPolicy.choose(strategy: .roundRobin, candidates: members, requiredSkills: [], weight: 1, lastAssigned: nil) == "a")
        #expect(AssignmentPolicy.choose(strategy: .roundRobin, candidates: members, requiredSkills: [], weight: 1, lastAssigned: "a") == "d")
        #expect(AssignmentPolicy.choose(strategy: .roundRobin, candidates: members, requiredSkills: [], weight: 1, lastAssigned: "d") == "a")
        let skilled = [Self.candidate("a"), Self.candidate("d", skills: ["spanish"])]
        #expect(AssignmentPolicy.choose(strategy: .roundRobin, candidates: skilled, requiredSkills: ["spanish"], weight: 1, lastAssigned: "d") == "d")
        #expect(AssignmentPolicy.choose(strategy: .roundRobin, candidates: skilled, requiredSkills: ["german"], weight: 1, lastAssigned: nil) == nil)
    }

    @Test("least open picks the fewest conversations; most available the most free capacity; weights count against capacity")
    func loadStrategies() {
        let members = [Self.candidate("a", capacity: 10, load: 4, active: 4), Self.candidate("b", capacity: 3, load: 1, active: 1)]
        #expect(AssignmentPolicy.choose(strategy: .leastOpen, candidates: members, requiredSkills: [], weight: 1, lastAssigned: nil) == "b")
        #expect(AssignmentPolicy.choose(strategy: .mostAvailable, candidates: members, requiredSkills: [], weight: 1, lastAssigned: nil) == "a")
        // b has 2 units free: an email weighing 0.5 fits, a call weighing 3 does not.
        #expect(AssignmentPolicy.choose(strategy: .leastOpen, candidates: members, requiredSkills: [], weight: 0.5, lastAssigned: nil) == "b")
        #expect(AssignmentPolicy.choose(strategy: .leastOpen, candidates: members, requiredSkills: [], weight: 3, lastAssigned: nil) == "a")
        #expect(AssignmentPolicy.choose(strategy: .manual, candidates: members, requiredSkills: [], weight: 1, lastAssigned: nil) == nil)
    }

    @Test("business hours in the configured time zone, with closed dates")
    func businessHours() throws {
        let hours = try BusinessHours.read([
            "time_zone": "Europe/Berlin", "days": ["mon": ["09:00-12:00", "13:00-17:00"], "sat": ["10:00-14:00"]], "closed": ["2026-12-28"],
        ], path: "business_hours")
        // 2026-11-23 is a Monday; Berlin is UTC+1 in November.
        #expect(hours.contains(try #require(Timestamp(rfc3339: "2026-11-23T08:30:00Z"))))
        #expect(!hours.contains(try #require(Timestamp(rfc3339: "2026-11-23T11:30:00Z"))))
        #expect(!hours.contains(try #require(Timestamp(rfc3339: "2026-11-23T07:59:00Z"))))
        #expect(!hours.contains(try #require(Timestamp(rfc3339: "2026-11-24T09:00:00Z"))))
        #expect(hours.contains(try #require(Timestamp(rfc3339: "2026-11-28T09:00:00Z"))))
        #expect(!hours.contains(try #require(Timestamp(rfc3339: "2026-12-28T09:00:00Z"))))
        do {
            _ = try BusinessHours.read(["time_zone": "Mars/Olympus", "days": ["funday": ["9-5"], "mon": ["17:00-09:00"]]], path: "business_hours")
            Issue.record("accepted bad business hours")
        } catch {
            let fields = Set(error.issues.map(\.field))
            #expect(fields == ["business_hours.time_zone", "business_hours.days.funday", "business_hours.days.mon[0]"], "\(fields)")
        }
    }
}

@Suite("Interaction records")
struct InteractionRecordTests {
    @Test("an interaction reads back from its JSON record exactly")
    func roundTrip() throws {
        let interaction = Interaction(id: "int_1", customerID: "cus_1", channelID: "chn_1", direction: .outbound, kind: .email,
                                      subject: "Re: refund", body: "退款已处理", metadata: ["thread_id": "T-9", "n": 3],
                                      occurredAt: Timestamp(microseconds: 1_790_000_000_123_456), externalID: "x-1",
                                      createdAt: Timestamp(microseconds: 1_790_000_001_000_000))
        #expect(Interaction(record: interaction.json) == interaction)
        #expect(Interaction(record: ["id": "int_2"]) == nil)
    }
}
