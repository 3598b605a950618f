import Foundation

/// Bounds how many PostgreSQL test databases are in use at once.
///
/// Swift Testing runs every test in parallel; unbounded, a few dozen servers with their pools
/// exhaust the server's connections and starve the CPU, and tests then fail for reasons of their
/// own making. Each test holds one permit for the whole of its database's life (no test opens a
/// second database while holding one, so permits cannot deadlock).
actor DatabaseGate {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        free = max(1, permits)
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` holding a permit.
    func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }
}
