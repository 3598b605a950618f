import Logging
import RapportCore
import RapportStore

/// Where the web chat's live traffic meets: the visitors' sockets and the agents' consoles of
/// this node. Agents' replies come from the event log, read once here for every socket (one
/// follower, started by the first visitor and stopped by the last); typing is ephemeral and goes
/// straight from one side to the other, never to the log.
///
/// A visitor's conversation is named by its `ChatThread` (channel and thread key).
actor ChatHub {
    /// What a console watching a conversation is told.
    enum Signal: Sendable, Equatable {
        /// Whether a visitor of the conversation has the widget open on this node.
        case presence(online: Bool)
        case visitorTyping
        /// Nothing happened for a while (the stream says so to keep proxies from closing it).
        case heartbeat
    }

    private let events: any EventStore
    private let logger: Logger
    private var visitors: [ChatThread: [Int: AsyncStream<ChatServerFrame>.Continuation]] = [:]
    private var watchers: [ChatThread: [Int: AsyncStream<Signal>.Continuation]] = [:]
    private var nextID = 0
    private var follower: Task<Void, Never>?

    init(events: any EventStore, logger: Logger) {
        self.events = events
        self.logger = logger
    }

    // MARK: Visitors

    /// Sends the agents' replies in `thread` that commit from now on, and agents' typing, to
    /// `sink`; returns the id `leave` takes.
    func join(_ thread: ChatThread, sink: AsyncStream<ChatServerFrame>.Continuation) async -> Int {
        if follower == nil {
            // From the head as it is now: what committed before is the history the visitor reads next.
            let start = (try? await events.eventLogHead()) ?? events.knownHead
            if follower == nil { follower = Task { await self.follow(from: start) } }
        }
        nextID += 1
        let wasOnline = !(visitors[thread]?.isEmpty ?? true)
        visitors[thread, default: [:]][nextID] = sink
        if !wasOnline { tell(thread, .presence(online: true)) }
        return nextID
    }

    func leave(_ thread: ChatThread, id: Int) {
        visitors[thread]?[id] = nil
        if visitors[thread]?.isEmpty ?? false {
            visitors[thread] = nil
            tell(thread, .presence(online: false))
        }
        if visitors.isEmpty {
            follower?.cancel()
            follower = nil
        }
    }

    func visitorTyping(_ thread: ChatThread) {
        tell(thread, .visitorTyping)
    }

    // MARK: Agents

    /// Tells the visitors of `thread` that an agent is typing.
    func agentTyping(_ thread: ChatThread) {
        for sink in visitors[thread]?.values ?? [:].values { sink.yield(.typing) }
    }

    /// What a console watching `thread` is told, starting with whether its visitor is here.
    func watch(_ thread: ChatThread, sink: AsyncStream<Signal>.Continuation) -> Int {
        nextID += 1
        watchers[thread, default: [:]][nextID] = sink
        sink.yield(.presence(online: !(visitors[thread]?.isEmpty ?? true)))
        return nextID
    }

    func unwatch(_ thread: ChatThread, id: Int) {
        watchers[thread]?[id] = nil
        if watchers[thread]?.isEmpty ?? false { watchers[thread] = nil }
    }

    private func tell(_ thread: ChatThread, _ signal: Signal) {
        for sink in watchers[thread]?.values ?? [:].values { sink.yield(signal) }
    }

    // MARK: The log

    private static let interactionCreated = EventTypeFilter(types: ["rapport.interaction.created"])

    /// Reads the log for agents' replies in chat conversations and hands each to its visitors.
    private func follow(from start: Int64) async {
        var position = start
        var failures = 0
        while !Task.isCancelled {
            do {
                let window = try await events.events(after: position, limit: 500, matching: Self.interactionCreated)
                failures = 0
                for event in window.events { deliver(event) }
                position = window.reached
                if window.events.count < 500 { await events.waitForCommit(after: position, timeout: .seconds(1)) }
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                logger.error("chat follower failed; trying again", metadata: ["error": "\(String(reflecting: error))", "failures": "\(failures)"])
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 * (1 << min(failures, 6)))))
            }
        }
    }

    private func deliver(_ event: Event) {
        guard let record = event.data.objectValue?["interaction"], let interaction = Interaction(record: record),
              interaction.direction == .outbound, let key = interaction.metadata["thread_id"]?.stringValue else { return }
        let thread = ChatThread(channelID: interaction.channelID, threadKey: key)
        for sink in visitors[thread]?.values ?? [:].values { sink.yield(.message(ChatLine(interaction))) }
    }
}

/// One visitor's conversation: its chat channel and thread key (`chat:<token>`).
struct ChatThread: Hashable, Sendable {
    var channelID: String
    var threadKey: String
}
