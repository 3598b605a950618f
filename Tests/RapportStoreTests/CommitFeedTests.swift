import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Waiting for the log to move: a commit ends a wait at once, a timeout ends it no sooner than
/// asked (nominally at most a sweep later; under the whole suite's load, tasks run seconds late, so
/// that bound is not asserted here), cancellation ends it, and no wait is left behind.
@Suite struct CommitFeedTests {
    @Test("waits end by timeout, no sooner than asked, short ones included; none is left waiting")
    func timeouts() async throws {
        let feed = CommitFeed()
        for timeout in [Duration.milliseconds(5), .milliseconds(120), .milliseconds(300)] {
            let started = ContinuousClock.now
            // Should the timeouts never end the waits, the test fails instead of hanging.
            try await withTimeout(.seconds(60)) {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<20 { group.addTask { await feed.wait(after: 0, timeout: timeout) } }
                }
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= timeout, "\(timeout): ended after \(elapsed)")
            #expect(feed.waiting == 0)
        }
    }

    @Test("a commit past the position ends every wait on it at once; waits past the new head go on")
    func commitEndsWaits() async throws {
        let feed = CommitFeed()
        feed.advance(to: 10)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { await feed.wait(after: 10, timeout: .seconds(120)) } }
            group.addTask { await feed.wait(after: 11, timeout: .milliseconds(200)) }
            try await waitUntil("the waits to begin") { feed.waiting == 11 }
            feed.advance(to: 11)
            try await waitUntil("the waits on 10 to end") { feed.waiting == 1 }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - started < .seconds(60), "the commit, not the 120 s timeout, ended them")
        #expect(feed.waiting == 0)
        // Already past: returns at once.
        await feed.wait(after: 5, timeout: .seconds(120))
    }

    @Test("cancelling a waiting task ends its wait")
    func cancellation() async throws {
        let feed = CommitFeed()
        let waiter = Task { await feed.wait(after: 0, timeout: .seconds(120)) }
        try await waitUntil("the wait to begin") { feed.waiting == 1 }
        let started = ContinuousClock.now
        waiter.cancel()
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(60), "the cancellation, not the 120 s timeout, ended it")
        #expect(feed.waiting == 0)
    }
}
