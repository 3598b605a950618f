import Foundation

/// The CPU time a server process and each of its threads have used, read from `/proc` (Linux):
/// unlike a rate, CPU time per request hardly moves when other work shares the machine.
struct ServerCPU: Sendable {
    /// Seconds of CPU (user and system) of the whole process.
    var process: Double
    /// Seconds of CPU by thread name, threads of one name added together.
    var threads: [String: Double]

    /// The process's CPU now, or nil where `/proc` does not tell.
    static func sample(pid: Int32) -> ServerCPU? {
        guard let process = seconds(inStat: "/proc/\(pid)/stat") else { return nil }
        var threads: [String: Double] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  let name = name(inStat: stat), let used = seconds(inStatText: stat) else { continue }
            threads[name, default: 0] += used
        }
        return ServerCPU(process: process, threads: threads)
    }

    /// The CPU the process `pid` uses in the `duration` seconds after `warmup` seconds from now
    /// (when a load started now records), nil where `/proc` does not tell.
    static func whileMeasured(pid: Int32, warmup: Double, duration: Double) -> Task<ServerCPU?, Never> {
        Task {
            try? await Task.sleep(for: .seconds(warmup))
            guard let before = sample(pid: pid) else { return nil }
            try? await Task.sleep(for: .seconds(duration))
            return sample(pid: pid)?.since(before)
        }
    }

    /// What was used between `earlier` and this sample.
    func since(_ earlier: ServerCPU) -> ServerCPU {
        var used: [String: Double] = [:]
        for (name, seconds) in threads { used[name] = seconds - (earlier.threads[name] ?? 0) }
        return ServerCPU(process: process - earlier.process, threads: used)
    }

    /// One line: cores used over `seconds` and CPU per request for `requests`, then the busiest
    /// thread names.
    func line(seconds: Double, requests: Int, threads count: Int = 3) -> String {
        let perRequest = { (used: Double) in used / Double(max(requests, 1)) * 1e6 }
        let busiest = threads.sorted { $0.value > $1.value }.prefix(count).map { name, used in
            String(format: "%@ %.2f cores (%.0f µs)", name, used / seconds, perRequest(used))
        }
        return String(format: "server CPU while measured: %.2f cores, %.0f µs per request; busiest threads: ", process / seconds,
                      perRequest(process)) + busiest.joined(separator: ", ")
    }

    private static func seconds(inStat path: String) -> Double? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(seconds(inStatText:))
    }

    /// utime and stime (fields 14 and 15 of `stat`), counted after the name in parentheses,
    /// which may itself hold spaces.
    private static func seconds(inStatText stat: String) -> Double? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func name(inStat stat: String) -> String? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close else { return nil }
        return String(stat[stat.index(after: open)..<close])
    }
}
