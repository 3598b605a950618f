import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportFlow
import RapportStore
import Synchronization

extension Bench {
    /// Completed instances per second of the CRM order process (`docs/processes/crm_order.bpmn`):
    /// the engine alone in memory, then persisted through the store — each instance started in one
    /// transaction, its notify job fetched by a worker in another and completed in a third — and
    /// SpiffWorkflow running the same model in memory in the same run, as the peer.
    struct ProcessRuns: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "process",
            abstract: "Measure BPMN instances per second: the engine in memory, persisted on SQLite or PostgreSQL, and SpiffWorkflow on the same model.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "The Rapport copy of the model.")
        var model = "docs/processes/crm_order.bpmn"

        @Option(help: "Instances run in memory per measurement.")
        var memoryInstances = 50_000

        @Option(help: "Seconds to measure persisted instances.")
        var duration: Double = 10

        @Option(help: "Seconds of persisted instances before measuring.")
        var warmup: Double = 2

        @Option(help: "Instances in flight at once (each a client starting an instance, fetching a job and completing it).")
        var concurrency = 64

        @Option(help: "A Python with SpiffWorkflow installed, to run the peer (skipped without it).")
        var peerPython: String?

        @Option(help: "SpiffWorkflow's benchmark script.")
        var peerScript = "../shared/bpmn/spiff_bench.py"

        @Option(help: "Instances per SpiffWorkflow measurement.")
        var peerInstances = 3_000

        func run() async throws {
            guard memoryInstances > 0, duration > 0, warmup >= 0, concurrency > 0 else {
                throw ValidationError("--memory-instances, --duration and --concurrency must be positive; --warmup must not be negative")
            }
            let xml = try String(contentsOfFile: model, encoding: .utf8)
            let document = try BPMNReader.read(xml)
            guard let process = document.process("crm_order") else { throw ValidationError("\(model) has no process crm_order") }
            print("model: \(model) (\(process.nodes.count) nodes, \(process.flows.count) flows)")

            for round in 1...3 {
                let rate = Self.inMemory(FlowEngine(process), instances: memoryInstances)
                print("in memory, run \(round): \(Int(rate.rounded())) instances/s (\(memoryInstances) instances, one core)")
            }

            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-process-\(UUID().uuidString)").path
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: scratch)
            defer { if databaseURL == nil { try? FileManager.default.removeItem(atPath: scratch) } }
            var logger = Logger(label: "rapport.bench.process")
            logger.logLevel = .error
            let (duration, warmup, concurrency) = (self.duration, self.warmup, self.concurrency)
            try await Store.withRunning(location, logger: logger) { store in
                _ = try await store.write { tx in try await store.processes.deploy(document, xml: xml, by: .system, in: tx) }
                let result = try await Self.persisted(store, duration: duration, warmup: warmup, concurrency: concurrency)
                let backend = databaseURL == nil ? "SQLite" : "PostgreSQL"
                print("persisted on \(backend): \(Int(result.rate.rounded())) completed instances/s (\(result.completed) in \(duration) s, "
                    + "\(concurrency) in flight; 3 transactions each: start, fetch, complete)")
                let running = try await store.processes.instances(ProcessInstanceQuery(status: .running), limit: 1, cursor: nil).items.count
                print("left running after the clients stopped: \(running == 0 ? "none" : "some (a client's instance in flight at the end)")")
            }
            if let peerPython {
                try Self.runPeer(python: peerPython, script: peerScript, instances: peerInstances)
            } else {
                print("SpiffWorkflow: not run (give --peer-python with SpiffWorkflow installed)")
            }
        }

        /// Start, complete the notify job, end: as many as `instances`; instances per second.
        static func inMemory(_ engine: FlowEngine, instances: Int) -> Double {
            let start = ContinuousClock.now
            let at = Timestamp.now()
            var completed = 0
            for index in 0..<instances {
                let started = engine.start(variables: ["amount": .integer(Int64((index * 37) % 3_000)), "customer": .string("c\(index)")], at: at)
                guard case .activateJob(let token, _, _)? = started.actions.first,
                      let done = try? engine.handle(.complete(token: token, variables: ["notify_result": ["sent_to": .string("c\(index)")]]),
                                                    on: started.instance, at: at),
                      done.instance.status == .completed else { continue }
                completed += 1
            }
            precondition(completed == instances, "an instance did not complete")
            return Double(instances) / (Double(start.duration(to: .now).nanoseconds) / 1e9)
        }

        /// What the clients and the measuring task share.
        final class RunFlags: Sendable {
            let counting = Atomic<Bool>(false)
            let completed = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
        }

        struct Persisted {
            var completed: Int
            var rate: Double
        }

        static func persisted(_ store: Store, duration: Double, warmup: Double, concurrency: Int) async throws -> Persisted {
            let flags = RunFlags()
            let processes = store.processes
            let clock = ContinuousClock()
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<concurrency {
                    group.addTask {
                        var index = client
                        while !flags.stop.load(ordering: .relaxed) {
                            let amount = Int64((index * 37) % 3_000)
                            index += concurrency
                            _ = try await store.write { tx in
                                try await processes.startInstance(ProcessStart(key: "crm_order", variables: ["amount": .integer(amount), "customer": "c"]),
                                                                  by: .system, in: tx)
                            }
                            let jobs = try await store.write { tx in
                                try await processes.activateJobs(type: "notify", worker: "bench-\(client)", limit: 1, lock: .seconds(60), in: tx)
                            }
                            for job in jobs {
                                let instance = try await store.write { tx in
                                    try await processes.completeJob(job.job.id, variables: ["notify_result": ["sent_to": "c"]], by: .system, in: tx)
                                }
                                if instance.status == .completed, flags.counting.load(ordering: .relaxed) {
                                    flags.completed.add(1, ordering: .relaxed)
                                }
                            }
                        }
                    }
                }
                try await clock.sleep(for: .seconds(warmup))
                flags.counting.store(true, ordering: .relaxed)
                let began = clock.now
                try await clock.sleep(for: .seconds(duration))
                flags.counting.store(false, ordering: .relaxed)
                let elapsed = Double(began.duration(to: clock.now).nanoseconds) / 1e9
                let count = flags.completed.load(ordering: .relaxed)
                flags.stop.store(true, ordering: .relaxed)
                try await group.waitForAll()
                return Persisted(completed: count, rate: Double(count) / elapsed)
            }
        }

        /// Runs SpiffWorkflow's benchmark and prints its figures.
        static func runPeer(python: String, script: String, instances: Int) throws {
            let peer = Foundation.Process()
            peer.executableURL = URL(fileURLWithPath: python)
            peer.arguments = [script, String(instances)]
            let output = Pipe()
            peer.standardOutput = output
            peer.standardError = output
            try peer.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            peer.waitUntilExit()
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.contains("sample run") && !line.contains("final data") {
                print("peer: \(line)")
            }
            if peer.terminationStatus != 0 { print("peer: exited with status \(peer.terminationStatus)") }
        }
    }
}
