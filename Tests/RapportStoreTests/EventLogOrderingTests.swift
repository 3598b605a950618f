import Foundation
import RapportCore
@testable import RapportStore
import Synchronization
import RapportTestSupport
import Testing

/// The log's promise: gapless sequences in commit order, so a reader that has seen N never later
/// finds a newly committed event below N, with several writers (nodes) on one database.
@Suite struct EventLogOrderingTests {
    let actor = Actor(kind: .system, id: nil)

    @Test(arguments: Backend.available)
    func readersNeverSeeAnEventAppearBelowWhatTheySaw(_ backend: Backend) async throws {
        let nodes = 3
        let writesPerNode = 120
        try await TestDatabases.withLocation(backend) { location in
            // Every node is a separate Store: its own writer and connections, as separate processes would be.
            try await Store.withRunning(location, logger: TestDatabases.logger) { reader in
                let channel = try await reader.write { tx in
                    try await reader.organization.insertChannel(kind: .api, name: "load", settings: [:], actor: actor, in: tx)
                }
                let finished = Tally()
                let violations = Findings()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for node in 0..<nodes {
                        group.addTask {
                            try await Store.withRunning(location, logger: TestDatabases.logger, migrate: false) { store in
                                try await withThrowingTaskGroup(of: Void.self) { writes in
                                    for index in 0..<writesPerNode {
                                        writes.addTask {
                                            let identity = Identity(kind: .external, value: "load:\(node)-\(index % 10)")
                                            let new = NewInteraction(channelID: channel.id, party: .identity(identity),
                                                                     externalID: "n\(node)-\(index)")
                                            _ = try await store.write { tx in try await store.interactions.ingestInteraction(new, actor: actor, in: tx) }
                                        }
                                    }
                                    try await writes.waitForAll()
                                }
                            }
                            finished.increment()
                        }
                    }
                    group.addTask {
                        // Tail the log the way a consumer does: always ask for what comes after the last seen.
                        var last: Int64 = 0
                        while true {
                            let done = finished.value == nodes
                            let page = try await reader.events.events(after: last, limit: 500)
                            for event in page {
                                if event.sequence != last + 1 {
                                    violations.add("after \(last) came \(event.sequence)")
                                }
                                last = event.sequence
                            }
                            if done, page.isEmpty { break }
                        }
                        // Nothing may have appeared below what was read.
                        let all = try await reader.events.events(after: 0, limit: 100_000)
                        if all.map(\.sequence) != Array(1...Int64(all.count)) {
                            violations.add("log is not gapless: \(all.count) events")
                        }
                        if all.count != Int(last) { violations.add("tail saw \(last), log has \(all.count)") }
                    }
                    try await group.waitForAll()
                }
                #expect(violations.all == [])
                let all = try await reader.events.events(after: 0, limit: 100_000)
                let interactions = all.filter { $0.type == "rapport.interaction.created" }
                #expect(interactions.count == nodes * writesPerNode)
                let customers = all.filter { $0.type == "rapport.customer.created" }
                #expect(customers.count == nodes * 10)
            }
        }
    }
}

/// A counter shared between tasks.
final class Tally: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func increment() { count.add(1, ordering: .releasing) }
}

/// Problems found by concurrent checkers.
final class Findings: Sendable {
    private let items = Mutex<[String]>([])
    var all: [String] { items.withLock { $0 } }
    func add(_ finding: String) { items.withLock { $0.append(finding) } }
}
