import Foundation
import NIOCore
import NIOPosix
import RapportStore

/// A `rapport serve` child process for benchmarks.
struct ServerProcess {
    let process: Process

    var pid: Int32 { process.processIdentifier }

    /// The `rapport` binary to start: `path` when given, otherwise `rapport` in the directory of
    /// this `rapport-bench` executable (both are built into the same `.build/<configuration>/`).
    static func binary(_ path: String?) throws -> URL {
        let url: URL
        if let path {
            url = URL(fileURLWithPath: path)
        } else {
            let own = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
            url = own.deletingLastPathComponent().appendingPathComponent("rapport")
        }
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BenchFailure("no rapport binary at \(url.path): build it (swift build --product rapport) or name it with --rapport-binary")
        }
        return url
    }

    /// Starts `binary` as `rapport serve` on `port`, with `extra` arguments.
    static func start(binary: URL, port: Int, location: StoreLocation, extra: [String] = []) throws -> ServerProcess {
        let process = Process()
        process.executableURL = binary
        var arguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--log-level", "error"]
        switch location {
        case .sqlite(let directory): arguments += ["--data-dir", directory]
        case .postgres(let url): arguments += ["--database-url", url]
        }
        process.arguments = arguments + extra
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return ServerProcess(process: process)
    }

    /// Stops the server gracefully and waits for it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A loopback port nothing listens on right now.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// Waits until something accepts connections on `port`.
    static func waitUntilListening(port: Int, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get() {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }
}
