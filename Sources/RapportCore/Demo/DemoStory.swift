/// The story `rapport demo` loads so that a newcomer's console is alive on first start: colleagues
/// in each department, channels, and customers who reach the company on several channels, with
/// conversations, records in every stage of their pipelines, what they said about being
/// contacted (consent), notes and handoffs. Pure and
/// repeatable: the same scenario, size and clock give the same story.
public struct DemoStory: Sendable {
    public enum Scenario: String, Sendable, CaseIterable {
        case ecommerce
        case banking
        case travel
    }

    public var scenario: Scenario
    /// The templates whose record types the story uses.
    public var templates: [String]
    public var channels: [DemoChannel]
    public var colleagues: [DemoColleague]
    public var customers: [DemoCustomer]

    /// The story of `scenario` with `size` customers, its times before `now`.
    public static func make(_ scenario: Scenario, size: Int, now: Timestamp) -> DemoStory {
        var writer = DemoWriter(now: now)
        let customers = (0..<size).map { index in
            var customer = DemoPeople.customer(index)
            switch scenario {
            case .ecommerce: DemoEcommerce.story(of: &customer, index: index, writer: &writer)
            case .banking: DemoBanking.story(of: &customer, index: index, writer: &writer)
            case .travel: DemoTravel.story(of: &customer, index: index, writer: &writer)
            }
            DemoConsent.story(of: &customer, index: index, writer: &writer)
            DemoColleagues.notesAndHandoffs(for: &customer, index: index, scenario: scenario)
            return customer
        }
        let templates: [String] = switch scenario {
        case .ecommerce: ["sales", "service", "marketing", "ecommerce"]
        case .banking: ["sales", "service", "marketing", "banking"]
        case .travel: ["sales", "service", "marketing", "travel"]
        }
        return DemoStory(scenario: scenario, templates: templates, channels: DemoChannel.all, colleagues: DemoColleagues.all,
                         customers: customers)
    }
}

/// A channel the story's customers use, found by its name when the store has it already.
public struct DemoChannel: Sendable, Equatable {
    public var kind: ChannelKind
    public var name: String

    static let all: [DemoChannel] = [
        DemoChannel(kind: .web, name: "Website"), DemoChannel(kind: .email, name: "Email"), DemoChannel(kind: .phone, name: "Phone"),
        DemoChannel(kind: .chat, name: "Web chat"), DemoChannel(kind: .mobileApp, name: "Mobile app"),
        DemoChannel(kind: .store, name: "Stores and branches"), DemoChannel(kind: .social, name: "WeChat"),
    ]
}

/// A person of the company, in a department.
public struct DemoColleague: Sendable, Equatable {
    public var name: String
    public var email: String
    public var department: String
    public var role: Role
}

/// A customer with what happens to them, in order.
public struct DemoCustomer: Sendable, Equatable {
    public var name: String
    public var givenName: String
    public var familyName: String
    public var email: String
    public var phone: String
    /// A handle on the social channel, for some.
    public var social: String?
    public var lifecycleStage: LifecycleStage
    public var attributes: JSONObject
    public var messages: [DemoMessage] = []
    public var records: [DemoRecord] = []
    public var notes: [DemoNote] = []
    public var handoffs: [DemoHandoff] = []
}

/// Something the customer said or did on a channel (or was told: outbound).
public struct DemoMessage: Sendable, Equatable {
    public var channel: ChannelKind
    public var kind: InteractionKind
    public var direction: InteractionDirection
    public var subject: String?
    public var body: String
    public var occurredAt: Timestamp
}

/// A record of the scenario's types: created in the first stage of its pipeline, then moved
/// through `stages` in order (its stage history). `references` name earlier records of the same
/// customer by their `name` (a cart's order, a booking's itinerary).
public struct DemoRecord: Sendable, Equatable {
    public var name: String
    public var type: String
    public var fields: JSONObject
    public var stages: [String]
    public var references: [String: String] = [:]
}

/// A note a colleague wrote about the customer.
public struct DemoNote: Sendable, Equatable {
    public var author: String
    public var body: String
    public var pinned: Bool
}

/// A handoff from one department to another about the customer; `accepted` when the receiving
/// colleague (by email) took it.
public struct DemoHandoff: Sendable, Equatable {
    public var kind: HandoffKind
    public var from: String
    public var to: String
    public var reason: String
    public var requestedBy: String
    public var acceptedBy: String?
}

/// Times before now and numbers that differ from customer to customer, the same at every run.
struct DemoWriter {
    let now: Timestamp
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    init(now: Timestamp) {
        self.now = now
    }

    /// A number in `0..<bound` (SplitMix64).
    mutating func number(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((mixed ^ (mixed >> 31)) % UInt64(max(bound, 1)))
    }

    /// `days` days and some hours before now.
    mutating func daysAgo(_ days: Int) -> Timestamp {
        Timestamp(microseconds: now.microseconds - Int64(days) * 86_400_000_000 - Int64(number(10 * 3_600)) * 1_000_000)
    }

    mutating func pick<T>(_ items: [T]) -> T { items[number(items.count)] }

    /// A date `days` from now (negative: before) as YYYY-MM-DD.
    func date(_ days: Int) -> String {
        Timestamp(microseconds: now.microseconds + Int64(days) * 86_400_000_000).rfc3339.prefix(10).description
    }

    func time(_ days: Int, hour: Int) -> String {
        "\(date(days))T\(hour < 10 ? "0" : "")\(hour):00:00Z"
    }
}
