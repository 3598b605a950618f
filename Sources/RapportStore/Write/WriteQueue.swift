import Synchronization

/// A unit of work for the writer, with the callback that hands its result back.
struct WriteJob: Sendable {
    let prefetch: WritePrefetch
    let work: @Sendable (WriteTransaction) async throws -> any Sendable
    let complete: @Sendable (Result<any Sendable, any Error>) -> Void
    /// Runs alone in a transaction that is rolled back: what the work would do, without doing it.
    var rehearsal = false
}

/// Jobs waiting for the writer. Everything that arrives while a commit runs goes into the next one.
final class WriteQueue: Sendable {
    private struct State {
        var pending: [WriteJob] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// Queues a job; fails it at once when the writer has stopped.
    func submit(_ job: WriteJob) {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed else { return (false, nil) }
            state.pending.append(job)
            let waiter = state.waiter
            state.waiter = nil
            return (true, waiter)
        }
        if !accepted {
            job.complete(.failure(StoreError(.unavailable, "the store is shutting down")))
        }
        waiter?.resume()
    }

    /// Waits for work and takes up to `limit` jobs; `nil` once closed and drained.
    func nextBatch(limit: Int) async -> [WriteJob]? {
        while true {
            let batch = state.withLock { state -> [WriteJob]? in
                guard !state.pending.isEmpty else { return state.closed ? nil : [] }
                // A rehearsal runs alone: its rollback must not take anyone else's writes with it.
                let firstRehearsal = state.pending.firstIndex(where: \.rehearsal) ?? state.pending.count
                let count = firstRehearsal == 0 ? 1 : min(limit, firstRehearsal)
                if count == state.pending.count {
                    // The usual case, everything queued: hand the array over rather than copy it.
                    defer { state.pending = [] }
                    return state.pending
                }
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                return batch
            }
            guard let batch else { return nil }
            if !batch.isEmpty { return batch }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.pending.isEmpty || state.closed { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Stops accepting jobs; those already queued still run.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
