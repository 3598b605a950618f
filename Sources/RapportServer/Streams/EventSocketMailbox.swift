import Synchronization

/// Client messages on their way from the connection's reader to its sender, at most `capacity`
/// at a time: a client that sends faster than they are handled waits, it does not fill memory.
final class EventSocketMailbox: Sendable {
    typealias Letter = Result<EventSocketRequest, EventSocketRefusal>

    private struct State {
        var letters: [Letter] = []
        var closed = false
    }

    static let capacity = 16

    private let state = Mutex(State())
    private let room = Doorbell()
    /// Rung for the sender on each letter and when the reader stops.
    let sender: Doorbell

    init(sender: Doorbell) {
        self.sender = sender
    }

    /// Adds a letter, then waits while the mailbox is full.
    func post(_ letter: Letter) async {
        state.withLock { $0.letters.append(letter) }
        sender.ring()
        while !Task.isCancelled, state.withLock({ $0.letters.count >= Self.capacity }) {
            await room.wait()
        }
    }

    /// The reader has stopped: the client closed the connection.
    func close() {
        state.withLock { $0.closed = true }
        sender.ring()
    }

    /// Every letter waiting, and whether the reader has stopped.
    func collect() -> (letters: [Letter], closed: Bool) {
        let taken = state.withLock { state in
            defer { state.letters.removeAll() }
            return (state.letters, state.closed)
        }
        room.ring()
        return taken
    }
}
