import RapportCore
import Synchronization

/// The head of the log as this process knows it, and the tasks waiting for it to move.
///
/// Waits time out by one sweep that runs every `sweepInterval` while anyone waits, not by a
/// timer each: the log's consumers wait again after every commit, hundreds of times a second,
/// and a sleeping task per wait (alive for its whole timeout, though the next commit mostly came
/// long before) cost each wait a task, a timer and a wake-up. A wait shorter than the interval
/// keeps a timer of its own.
final class CommitFeed: Sendable {
    private struct Waiter {
        let after: Int64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, Never>
    }

    /// How late past its timeout a wait may end.
    static let sweepInterval = Duration.milliseconds(50)

    private let latest = Atomic<Int64>(0)
    private let waiters = Mutex<[Int: Waiter]>([:])
    private let nextWaiter = Atomic<Int>(0)
    private let sweeping = Atomic<Bool>(false)

    var head: Int64 { latest.load(ordering: .acquiring) }

    var waiting: Int { waiters.withLock { $0.count } }

    /// Moves the head forward (never back: announcements from other nodes may arrive late).
    func advance(to sequence: Int64) {
        let sequence = latest.max(sequence, ordering: .acquiringAndReleasing).newValue
        let ready = waiters.withLock { waiting in
            let due = waiting.filter { $0.value.after < sequence }
            for key in due.keys { waiting.removeValue(forKey: key) }
            return due.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    func publish(_ events: [Event]) {
        guard let last = events.last else { return }
        advance(to: last.sequence)
    }

    /// Returns once the head moves past `sequence`, after `timeout` (up to `sweepInterval` later),
    /// or when the task is cancelled (a service shutting down does not wait out the timeout).
    func wait(after sequence: Int64, timeout: Duration) async {
        let key = nextWaiter.wrappingAdd(1, ordering: .relaxed).oldValue
        let deadline = ContinuousClock.now.advanced(by: timeout)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Cancelled before this registers: the handler found nothing to resume, so return now.
                let returnNow = waiters.withLock { waiting -> Bool in
                    if head > sequence || Task.isCancelled { return true }
                    waiting[key] = Waiter(after: sequence, deadline: deadline, continuation: continuation)
                    return false
                }
                if returnNow {
                    continuation.resume()
                    return
                }
                if timeout < Self.sweepInterval {
                    Task {
                        try? await Task.sleep(for: timeout)
                        self.waiters.withLock { $0.removeValue(forKey: key) }?.continuation.resume()
                    }
                } else {
                    startSweeping()
                }
            }
        } onCancel: {
            waiters.withLock { $0.removeValue(forKey: key) }?.continuation.resume()
        }
    }

    /// Starts the sweep unless it runs.
    private func startSweeping() {
        guard sweeping.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        Task { await self.sweep() }
    }

    /// Ends the waits whose time is up, every `sweepInterval`, until no one waits.
    private func sweep() async {
        while true {
            try? await Task.sleep(for: Self.sweepInterval)
            let now = ContinuousClock.now
            let (due, nobodyWaits) = waiters.withLock { waiting -> ([CheckedContinuation<Void, Never>], Bool) in
                let due = waiting.filter { $0.value.deadline <= now }
                for key in due.keys { waiting.removeValue(forKey: key) }
                return (due.values.map(\.continuation), waiting.isEmpty)
            }
            for continuation in due { continuation.resume() }
            guard nobodyWaits else { continue }
            sweeping.store(false, ordering: .releasing)
            // Someone who began waiting after the check, and found the sweep still running, is
            // swept for all the same (by this sweep, or by the one they start now).
            guard waiters.withLock({ !$0.isEmpty }),
                  sweeping.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        }
    }
}
