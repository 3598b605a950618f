import Foundation
import Logging
import RapportServer
import RapportStore
import ServiceLifecycle

/// A Rapport server inside the benchmark's own process, for the latency benchmarks: the store at
/// `--database-url` or in a fresh SQLite directory (removed afterwards), the application with
/// its background services, and any companions (a webhook receiver), run until `body` returns.
struct BenchServer {
    let store: Store
    let location: StoreLocation
    let port: Int

    /// "SQLite" or "PostgreSQL", for the tables.
    var storeName: String {
        if case .postgres = location { return "PostgreSQL" }
        return "SQLite"
    }

    static func run(
        databaseURL: String?, logger: Logger, companions: [any Service] = [],
        configuration: (StoreLocation) -> ServerConfiguration = { ServerConfiguration(host: "127.0.0.1", port: 0, store: $0) },
        _ body: (BenchServer) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-\(UUID().uuidString)").path
        defer { if databaseURL == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: directory)
        let store = try await Store.open(location, logger: logger)
        let serverPort = PortSlot()
        let app = try buildApplication(configuration: configuration(location), store: store, logger: logger,
                                       onServerRunning: { serverPort.set($0) })
        let services = ServiceGroup(services: [app] + companions, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await services.run() }
            do {
                try await body(BenchServer(store: store, location: location, port: try await serverPort.wait()))
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await store.close()
    }
}
