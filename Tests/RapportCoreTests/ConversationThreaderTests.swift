import RapportCore
import Testing

@Suite("Threading a batch of interactions at once")
struct ConversationThreaderTests {
    typealias Fixture = ConversationRoutingTests

    static func interaction(_ id: String, customer: String = "cus_1", channel: String = "chn_1", direction: InteractionDirection = .inbound,
                            kind: InteractionKind = .message, at seconds: Int64, thread: String? = nil) -> Interaction {
        Interaction(id: id, customerID: customer, channelID: channel, direction: direction, kind: kind, subject: nil,
                    body: "hi", metadata: thread.map { ["thread_id": .string($0)] } ?? [:], occurredAt: Fixture.at(seconds),
                    externalID: nil, createdAt: Fixture.at(seconds))
    }

    /// Names opened conversations cnv_new1, cnv_new2, … in order.
    static func threaded(_ interactions: [Interaction], candidates: [Conversation] = []) -> ConversationThreader.Outcome {
        var opened = 0
        return ConversationThreader(threading: ConversationThreading(window: .seconds(3_600)))
            .thread(interactions, candidates: candidates, at: Fixture.at(5_000), newID: {
                opened += 1
                return "cnv_new\(opened)"
            })
    }

    @Test("later interactions of a batch join the conversation an earlier one opened, as one at a time would")
    func joinsWhatTheBatchOpened() {
        let outcome = Self.threaded([Self.interaction("int_1", at: 1_000), Self.interaction("int_2", at: 1_010),
                                     Self.interaction("int_3", customer: "cus_2", at: 1_020), Self.interaction("int_4", at: 1_030)])
        #expect(outcome.links.map(\.conversationID) == ["cnv_new1", "cnv_new1", "cnv_new2", "cnv_new1"])
        #expect(outcome.links.map(\.opened) == [true, false, true, false])
        #expect(outcome.touched.map(\.conversation.id) == ["cnv_new1", "cnv_new2"])
        #expect(outcome.touched.allSatisfy { $0.previous == nil })
        #expect(outcome.touched[0].conversation.interactionCount == 3)
        #expect(outcome.touched[0].conversation.lastInteractionAt == Fixture.at(1_030))
    }

    @Test("an automatic reply joins its thread without reopening a resolved conversation; a person's message reopens it")
    func automaticRepliesDoNotReopen() {
        let stored = Fixture.conversation("cnv_old", last: 900, thread: "m1@example.com", status: .resolved)
        var automatic = Self.interaction("int_1", at: 1_000, thread: "m1@example.com")
        automatic.metadata["flags"] = .array([.string("auto_reply")])
        let afterAutomatic = Self.threaded([automatic], candidates: [stored])
        #expect(afterAutomatic.links.map(\.conversationID) == ["cnv_old"])
        #expect(afterAutomatic.touched.first?.conversation.status == .resolved)
        #expect(afterAutomatic.touched.first?.conversation.interactionCount == stored.interactionCount + 1)
        let afterPerson = Self.threaded([Self.interaction("int_2", at: 1_000, thread: "m1@example.com")], candidates: [stored])
        #expect(afterPerson.touched.first?.conversation.status == .open)
    }

    @Test("a stored conversation is joined, keeps what it was before for its event, and candidates nothing joined are left out")
    func joinsStored() {
        var stored = Fixture.conversation("cnv_old", last: 900, status: .pending)
        stored.interactionCount = 4
        stored.departmentID = "dep_sales"
        let untouched = Fixture.conversation("cnv_other", channel: "chn_2", last: 950)
        let outcome = Self.threaded([Self.interaction("int_1", at: 1_000)], candidates: [stored, untouched])
        #expect(outcome.links == [.init(interactionID: "int_1", conversationID: "cnv_old", opened: false)])
        #expect(outcome.touched.count == 1)
        #expect(outcome.touched[0].previous == stored)
        let joined = outcome.touched[0].conversation
        #expect(joined.interactionCount == 5)
        #expect(joined.status == .open, "a customer's message reopens a pending conversation")
        #expect(joined.departmentID == "dep_sales")
        #expect(joined.updatedAt == Fixture.at(5_000))
    }

    @Test("thread keys, the window, outbound replies and activity that is not conversation")
    func keysWindowAndDirection() {
        let outcome = Self.threaded([
            Self.interaction("int_1", at: 1_000, thread: "T-1"),
            Self.interaction("int_2", at: 1_001),
            Self.interaction("int_3", at: 1_002, thread: "T-1"),
            Self.interaction("int_4", direction: .outbound, at: 1_003),
            Self.interaction("int_5", kind: .pageView, at: 1_004),
            Self.interaction("int_6", at: 1_003 + 3_601),
        ])
        #expect(outcome.links.map(\.interactionID) == ["int_1", "int_2", "int_3", "int_4", "int_6"])
        #expect(outcome.links.map(\.conversationID) == ["cnv_new1", "cnv_new2", "cnv_new1", "cnv_new2", "cnv_new3"])
        #expect(outcome.touched[0].conversation.threadKey == "T-1")
        #expect(outcome.touched[1].conversation.status == .pending, "the company's reply leaves it pending the customer")
        #expect(outcome.touched[1].conversation.lastInteractionAt == Fixture.at(1_003))
    }

    @Test("a batch places every interaction where threading them one at a time would")
    func sameAsOneAtATime() {
        let threading = ConversationThreading(window: .seconds(600))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var time: Int64 = 0
            let interactions = (0..<40).map { index -> Interaction in
                time += Int64.random(in: 0...400, using: &generator)
                return Self.interaction("int_\(index)", customer: "cus_\(Int.random(in: 1...3, using: &generator))",
                                        channel: "chn_\(Int.random(in: 1...2, using: &generator))",
                                        direction: Bool.random(using: &generator) ? .inbound : .outbound, at: time,
                                        thread: Int.random(in: 0..<4, using: &generator) == 0 ? "T-\(Int.random(in: 1...2, using: &generator))" : nil)
            }
            var counter = 0
            let batch = ConversationThreader(threading: threading).thread(interactions, candidates: [], at: Fixture.at(0)) {
                counter += 1
                return "cnv_\(counter)"
            }
            // One at a time, as the router threaded before: each placed among what exists then.
            var stored: [String: Conversation] = [:]
            var order: [String] = []
            var expected: [String] = []
            var opened = 0
            for interaction in interactions {
                switch threading.place(interaction, candidates: Array(stored.values)) {
                case .none: continue
                case .join(let id):
                    stored[id] = ConversationThreading.joining(interaction, to: stored[id]!, at: Fixture.at(0))
                    expected.append(id)
                case .open(let key):
                    opened += 1
                    let conversation = ConversationThreading.opening(id: "cnv_\(opened)", by: interaction, threadKey: key, at: Fixture.at(0))
                    stored[conversation.id] = conversation
                    order.append(conversation.id)
                    expected.append(conversation.id)
                }
            }
            #expect(batch.links.map(\.conversationID) == expected)
            #expect(batch.touched.map(\.conversation) == order.map { stored[$0]! })
        }
    }
}
