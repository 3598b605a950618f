import AsyncHTTPClient
import Foundation
import NIOCore
import RapportCore

/// Watches how far the log's consumers (the router above all) trail ingest, through the API an
/// operator would use: `GET /v1/consumers` for positions, and `GET /v1/events` for the commit
/// time of the oldest event a consumer has not yet done. Its age is the consumer's lag in time.
struct ConsumerLagProbe {
    let baseURL: String
    let secret: String
    let consumer: String

    /// The lag of `consumer` now: events behind, and the age of the oldest one not yet done
    /// (zero when caught up).
    func lag() async throws -> (events: Int64, head: Int64, milliseconds: Double) {
        let (position, head) = try await standing()
        guard head > position else { return (0, head, 0) }
        let next = try await get("/v1/events?after=\(position)&limit=1")
        let time = Self.items(next).first?["time"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
        guard let time else { return (head - position, head, 0) }
        let age = Double(max(0, Timestamp.now().microseconds - time.microseconds)) / 1_000
        return (head - position, head, age)
    }

    /// Samples the lag every `interval` until cancelled; the samples' ages in milliseconds.
    func sample(every interval: Duration) async -> [Double] {
        var ages: [Double] = []
        while !Task.isCancelled {
            if let lag = try? await lag() { ages.append(lag.milliseconds) }
            try? await Task.sleep(for: interval)
        }
        return ages
    }

    /// How long after now `consumer` reaches the head of the log as it is now.
    func catchUp(timeout: Duration = .seconds(120)) async throws -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        let target = try await lag().head
        while clock.now - started < timeout {
            if try await standing().position >= target { return clock.now - started }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchFailure("\(consumer) did not catch up within \(timeout)")
    }

    /// Every consumer's lag in events now, by name.
    func allLags() async throws -> [(name: String, events: Int64)] {
        Self.items(try await get("/v1/consumers")).compactMap { entry in
            guard let name = entry["name"]?.stringValue, let lag = entry["lag"]?.intValue else { return nil }
            return (name, lag)
        }
    }

    /// The consumer's position and the log's head.
    private func standing() async throws -> (position: Int64, head: Int64) {
        let entry = Self.items(try await get("/v1/consumers")).first { $0["name"]?.stringValue == consumer }
        guard let position = entry?["position"]?.stringValue.flatMap({ Int64($0) }),
              let head = entry?["head"]?.stringValue.flatMap({ Int64($0) }) else {
            throw BenchFailure("GET /v1/consumers has no position for \(consumer)")
        }
        return (position, head)
    }

    /// The objects of a list answer's `data`.
    private static func items(_ answer: JSONValue) -> [JSONObject] {
        (answer.objectValue?["data"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    private func get(_ path: String) async throws -> JSONValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "authorization", value: "Bearer \(secret)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        guard response.status == .ok else { throw BenchFailure("GET \(path) answered \(response.status.code)") }
        return try JSONParser.parse(String(buffer: body))
    }
}
