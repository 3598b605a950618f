import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RapportCore
import RapportStore
import Synchronization

extension Bench {
    /// Notes on loopback, against a `rapport serve` child process: how soon a mention reaches the
    /// mentioned user's event stream (which the console's header follows) after the note's POST
    /// returns, at a paced rate of notes; and how long a customer's timeline of thousands of
    /// interactions and notes mixed takes to load, its first page and every page.
    struct Notes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notes",
            abstract: "Measure notes: a mention's notification from the note's commit to the user's event stream, and a long mixed timeline.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "The rapport binary to start as the server (default: rapport beside this rapport-bench).")
        var rapportBinary: String?

        @Option(help: "Seconds to measure the notifications.")
        var duration: Double = 10

        @Option(help: "Seconds of warm-up before them (the notes posted then are left out of the figures).")
        var warmup: Double = 2

        @Option(help: "Notes posted per second, each mentioning one user.")
        var rate: Double = 500

        @Option(help: "Users (spread over the departments), each signed in with an event stream of their own.")
        var users = 20

        @Option(help: "Customers the notes are spread over.")
        var customers = 100

        @Option(help: "Seconds to wait after the load for notifications still on their way; what has not arrived then never arrived.")
        var drain: Double = 10

        @Option(help: "Entries of the long timeline: half interactions, half notes.")
        var timelineSize = 5_000

        @Option(help: "Reads of the timeline's first page (50 entries) to measure.")
        var timelineReads = 200

        /// Connections the notes and the timeline reads go on; requests beyond them wait in the client.
        static let connections = 64
        /// Notes in flight at most; beyond it the pacing waits (and the achieved rate shows it).
        static let maxInFlight = 1_000
        /// First-page reads before the measured ones.
        static let timelineWarmupReads = 10
        /// Times the whole timeline is paged through.
        static let pageThroughs = 5
        /// What the issue asks of the notifications' p99, in milliseconds.
        static let goalP99 = 50.0

        func run() async throws {
            guard rate > 0, duration > 0, warmup >= 0, drain >= 0, users > 0, customers > 0, timelineSize > 0, timelineReads > 0 else {
                throw ValidationError("--rate, --duration, --users, --customers, --timeline-size and --timeline-reads must be positive; "
                    + "--warmup and --drain must not be negative")
            }
            let binary = try ServerProcess.binary(rapportBinary)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-notes-\(UUID().uuidString)").path
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: scratch)
            defer { if databaseURL == nil { try? FileManager.default.removeItem(atPath: scratch) } }
            var logger = Logger(label: "rapport.bench.notes")
            logger.logLevel = .error

            // Everything is written through the store before the server starts, as a client would
            // find it; only what is measured goes over HTTP.
            let seedingStarted = ContinuousClock.now
            let (users, customers, timelineSize) = (self.users, self.customers, self.timelineSize)
            let setup = try await Store.withRunning(location, logger: logger) { store in
                try await Self.seed(store, users: users, customers: customers, timelineSize: timelineSize)
            }
            let seeding = ContinuousClock.now - seedingStarted
            let port = try await ServerProcess.freePort()
            let server = try ServerProcess.start(binary: binary, port: port, location: location)
            defer { server.stop() }
            try await ServerProcess.waitUntilListening(port: port)
            print("rapport-bench notes: store \(location), server pid \(server.pid), \(users) users (each signed in, one event stream each), "
                + "\(customers) customers, \(String(format: "%.0f", rate)) notes/s for \(duration) s after \(warmup) s warm-up; "
                + "timeline of \(timelineSize) entries (\((timelineSize + 1) / 2) interactions, \(timelineSize / 2) notes), "
                + "\(timelineReads) first-page reads, \(Self.pageThroughs) page-throughs; seeded in "
                + String(format: "%.1f s", seeding.inMilliseconds / 1_000))

            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.connections
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            // The event streams hold their connections for the whole run: a pool of their own.
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = users
            let streams = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let problems: [String]
            do {
                problems = try await measure(setup, http: http, streams: streams, baseURL: "http://127.0.0.1:\(port)")
            } catch {
                try? await streams.shutdown()
                try? await http.shutdown()
                throw error
            }
            try? await streams.shutdown()
            try await http.shutdown()
            guard problems.isEmpty else { throw BenchFailure(problems.joined(separator: "; ")) }
        }

        /// Both figures, printed as each is known; what came back wrong, if anything.
        private func measure(_ setup: NotesBenchSetup, http: HTTPClient, streams: HTTPClient, baseURL: String) async throws -> [String] {
            var problems: [String] = []
            let admin = NotesBenchAPI(http: http, baseURL: baseURL, bearer: setup.secret)
            let delivered = try await notifications(setup, admin: admin, streams: streams, baseURL: baseURL)
            let delivery = delivered.delivery
            print(String(format: "notification, POST /v1/notes 201 → the mentioned user's event stream: %d notes at %.0f/s, "
                + "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 < %.0f ms at 500/s); "
                + "never arrived %d of %d posted, %d on another user's stream, %d before their POST's answer, %d POSTs failed",
                         delivery.count, delivered.achievedRate, delivery.p50, delivery.percentile(0.9), delivery.p99, delivery.max,
                         Self.goalP99, delivered.neverArrived, delivered.posted, delivered.foreign, delivered.early, delivered.failures))
            print("notification, POST /v1/notes sent → the mentioned user's event stream (commit lies between; an upper bound): "
                + delivered.fromRequest.text())
            print("POST /v1/notes (one mention each): \(delivered.post.count) answers, \(delivered.post.text())")
            if delivered.neverArrived > 0 { problems.append("\(delivered.neverArrived) notifications never arrived") }
            if delivered.foreign > 0 { problems.append("\(delivered.foreign) notifications reached another user's stream") }
            if let failure = delivered.firstFailure { problems.append("\(delivered.failures) POSTs failed, the first: \(failure)") }
            if let failure = delivered.streamFailure { problems.append("an event stream failed: \(failure)") }

            let mixed = try await timeline(setup, admin: admin)
            print("timeline first page (GET /v1/customers/{id}/activity?limit=50, \(mixed.firstPage.count) reads after "
                + "\(Self.timelineWarmupReads) unmeasured): \(mixed.firstPage.text())")
            let runs = mixed.runs.map { String(format: "%.1f ms", $0) }.joined(separator: ", ")
            print(String(format: "timeline page-through (limit=200 following next_cursor, %d pages, %d entries, %@): %@; median %.1f ms",
                         mixed.pages, mixed.entries, mixed.problem == nil ? "in order, each once" : "WRONG", runs,
                         LatencySample(milliseconds: mixed.runs).p50))
            if mixed.wrongFirstPages > 0 { problems.append("\(mixed.wrongFirstPages) first pages had not 50 entries") }
            if let problem = mixed.problem { problems.append("the timeline came back wrong: \(problem)") }
            return problems
        }

        /// One event stream per user from the log's head, then `rate` notes a second, each
        /// mentioning the next user, and the wait for the notifications still on their way.
        private func notifications(_ setup: NotesBenchSetup, admin: NotesBenchAPI, streams: HTTPClient,
                                   baseURL: String) async throws -> NotificationFigures {
            let log = NotificationLog()
            let connected = Counter()
            let path = "/v1/events/stream?after=\(setup.head)&filter=type%20%3D%3D%20%22rapport.notification.created%22"
            let followers = setup.users.map { user in
                let api = NotesBenchAPI(http: streams, baseURL: baseURL, bearer: user.token)
                return Task {
                    do {
                        try await Self.follow(api, path: path, userID: user.id, log: log, connected: connected)
                    } catch {
                        if !Task.isCancelled { log.streamFailed("\(user.name): \(error)") }
                    }
                }
            }
            defer { for follower in followers { follower.cancel() } }
            let openBy = ContinuousClock.now + .seconds(30)
            while connected.value < followers.count {
                if let failure = log.streamFailure { throw BenchFailure("an event stream failed: \(failure)") }
                guard ContinuousClock.now < openBy else {
                    throw BenchFailure("only \(connected.value) of \(followers.count) event streams opened within 30 s")
                }
                try await Task.sleep(for: .milliseconds(10))
            }

            let total = Int(rate * (warmup + duration))
            let measuredFrom = Int(rate * warmup)
            let (people, customerIDs) = (setup.users, setup.customers)
            let start = ContinuousClock.now
            let (failures, _) = await pacedLoad(total: total, perSecond: rate, maxInFlight: Self.maxInFlight) { number in
                let user = people[number % people.count]
                let text = "Could you call them back about the renewal, @[\(user.name)](user:\(user.id))? (\(number))"
                let note: JSONValue = ["customer_id": .string(customerIDs[number % customerIDs.count]), "body": .string(text)]
                do {
                    let issued = ContinuousClock.now
                    let (answer, responded) = try await admin.call(.POST, "/v1/notes", json: note, expect: 201)
                    guard let id = answer.objectValue?["id"]?.stringValue else { throw BenchFailure("POST /v1/notes answered no id") }
                    log.posted(id, NotificationLog.Post(userID: user.id, measured: number >= measuredFrom, issued: issued, responded: responded))
                } catch {
                    log.postFailed("\(error)")
                    throw error
                }
            }
            let drainBy = ContinuousClock.now + .seconds(drain)
            while log.outstanding > 0, ContinuousClock.now < drainBy {
                try await Task.sleep(for: .milliseconds(20))
            }
            // The streams end before their client shuts down, so that nothing is cut off mid-read.
            for follower in followers { follower.cancel() }
            for follower in followers { await follower.value }
            return log.figures(windowStart: start + .seconds(warmup), failures: failures)
        }

        /// Reads `GET /v1/events/stream` as `api`'s user and hands each message's data to `log`
        /// with the time its last bytes arrived; returns when the stream ends.
        private static func follow(_ api: NotesBenchAPI, path: String, userID: String, log: NotificationLog,
                                   connected: Counter) async throws {
            let response = try await api.open(.GET, path, timeout: .hours(24))
            guard response.status == .ok else { throw BenchFailure("GET \(path) answered \(response.status.code)") }
            connected.add(1)
            let data = Array("data: ".utf8)
            var line: [UInt8] = []
            line.reserveCapacity(4_096)
            for try await buffer in response.body {
                let now = ContinuousClock.now
                for byte in buffer.readableBytesView {
                    guard byte == UInt8(ascii: "\n") else {
                        line.append(byte)
                        continue
                    }
                    if line.starts(with: data) {
                        let event = try JSONParser.parse(line[data.count...])
                        log.arrived(event, on: userID, at: now)
                    }
                    line.removeAll(keepingCapacity: true)
                }
            }
        }

        /// The first page read `timelineReads` times (after a few unmeasured), then the whole
        /// timeline paged through `pageThroughs` times, each run checked.
        private func timeline(_ setup: NotesBenchSetup, admin: NotesBenchAPI) async throws -> TimelineFigures {
            let activity = "/v1/customers/\(setup.timelineCustomerID)/activity"
            let pageSize = min(50, setup.timelineIDs.count)
            var firstPage: [Double] = []
            var wrongFirstPages = 0
            for read in 0..<(Self.timelineWarmupReads + timelineReads) {
                let started = ContinuousClock.now
                let (page, arrived) = try await admin.call(.GET, "\(activity)?limit=50", expect: 200)
                if page.objectValue?["data"]?.arrayValue?.count != pageSize { wrongFirstPages += 1 }
                if read >= Self.timelineWarmupReads { firstPage.append((arrived - started).inMilliseconds) }
            }

            let cursorCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            // A timeline that never ends its cursor chain is wrong; stop well after the last page.
            let mostPages = setup.timelineIDs.count / 200 + 10
            var runs: [Double] = []
            var pageCount = 0
            var entries = 0
            var problem: String?
            for _ in 0..<Self.pageThroughs {
                var pages: [JSONValue] = []
                var cursor: String?
                let started = ContinuousClock.now
                repeat {
                    let after = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: cursorCharacters) ?? $0)" } ?? ""
                    let (page, _) = try await admin.call(.GET, "\(activity)?limit=200\(after)", expect: 200)
                    pages.append(page)
                    cursor = page.objectValue?["next_cursor"]?.stringValue
                } while cursor != nil && pages.count < mostPages
                runs.append((ContinuousClock.now - started).inMilliseconds)
                pageCount = pages.count
                let verdict = Self.check(pages, expected: setup.timelineIDs)
                entries = verdict.entries
                if cursor != nil { problem = problem ?? "still a next_cursor after \(pages.count) pages" }
                problem = problem ?? verdict.problem
            }
            return TimelineFigures(firstPage: LatencySample(milliseconds: firstPage), wrongFirstPages: wrongFirstPages, runs: runs,
                                   pages: pageCount, entries: entries, problem: problem)
        }

        /// Whether `pages` hold each of `expected` exactly once, newest first by time then id as
        /// the API orders them; the entries counted and what is wrong, if anything.
        private static func check(_ pages: [JSONValue], expected: Set<String>) -> (entries: Int, problem: String?) {
            var seen: Set<String> = []
            var entries = 0
            var repeated = 0
            var outOfOrder = 0
            var previous: (Int64, String)?
            for entry in pages.flatMap({ $0.objectValue?["data"]?.arrayValue ?? [] }) {
                entries += 1
                let object = entry.objectValue
                let kind = object?["type"]?.stringValue ?? "?"
                guard let id = object?[kind]?.objectValue?["id"]?.stringValue,
                      let at = object?["at"]?.stringValue.flatMap({ Timestamp(rfc3339: $0) }) else {
                    return (entries, "an entry without its id or time: \(entry.jsonString)")
                }
                if !seen.insert(id).inserted { repeated += 1 }
                let key = (at.microseconds, id)
                if let previous, !(key < previous) { outOfOrder += 1 }
                previous = key
            }
            var problems: [String] = []
            if outOfOrder > 0 { problems.append("\(outOfOrder) entries out of order") }
            if repeated > 0 { problems.append("\(repeated) entries repeated") }
            let missing = expected.subtracting(seen).count
            if missing > 0 { problems.append("\(missing) of \(expected.count) entries missing") }
            let unknown = seen.subtracting(expected).count
            if unknown > 0 { problems.append("\(unknown) entries not written by the benchmark") }
            return (entries, problems.isEmpty ? nil : problems.joined(separator: ", "))
        }

        /// An admin key; users spread over the departments, each with a session of their own; the
        /// customers the notes go on; and one customer whose timeline holds `timelineSize`
        /// entries, interactions and notes by turns, all written at once so that their times
        /// interleave. Then the log's head, for the event streams to start after.
        private static func seed(_ store: Store, users: Int, customers: Int, timelineSize: Int) async throws -> NotesBenchSetup {
            let run = UUID().uuidString.prefix(8).lowercased()
            let secret = try await store.write { tx in
                try await store.access.issueAPIKey(APIKeyRequest(name: "bench notes", role: .admin), actor: .system, in: tx).secret
            }
            let channelID = try await store.write { tx in
                try await store.organization.insertChannel(kind: .api, name: "bench notes \(run)", settings: [:], actor: .system, in: tx).id
            }
            let departments = try await store.organization.departments()
            guard !departments.isEmpty else { throw BenchFailure("the store has no departments to put the users in") }
            var people: [NoteBenchUser] = []
            for number in 0..<users {
                let department = departments[number % departments.count]
                let changes = UserChanges(email: "notes-\(run)-\(number)@example.com", name: "\(department.name) Agent \(number)",
                                          role: .agent, departmentID: .set(department.id))
                let person = try await store.write { tx in
                    let user = try await store.organization.insertUser(changes, actor: .system, in: tx)
                    let session = try await store.signIn.startSession(userID: user.id, lifetimeSeconds: 86_400, in: tx)
                    return NoteBenchUser(id: user.id, name: user.name, token: session.token)
                }
                people.append(person)
            }
            let customerIDs = try await withThrowingTaskGroup(of: String.self, returning: [String].self) { group in
                for number in 0..<customers {
                    let new = NewInteraction(channelID: channelID, party: .identity(Identity(kind: .email, value: "notes-\(run)-\(number)@example.org")),
                                             customerName: "Customer \(number)", body: "Hello, I would like a quote.")
                    group.addTask { try await Self.ingest(new, into: store).customerID }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let first = try await ingest(NewInteraction(channelID: channelID, party: .identity(Identity(kind: .email, value: "notes-\(run)-timeline@example.org")),
                                                        customerName: "Timeline customer", body: "Entry 0"), into: store)
            let timelineCustomerID = first.customerID
            let author = Colleague(actor: .system, departmentID: nil, moderates: true)
            let rest = try await withThrowingTaskGroup(of: String.self, returning: [String].self) { group in
                for number in 1..<timelineSize {
                    group.addTask {
                        if number % 2 == 0 {
                            let new = NewInteraction(channelID: channelID, party: .customer(timelineCustomerID), body: "Entry \(number)")
                            return try await Self.ingest(new, into: store).id
                        }
                        let draft = NoteDraft(customerID: timelineCustomerID, conversationID: nil,
                                              body: "Note \(number): **called**, left a message; see `quote-\(number)`.")
                        return try await store.write { tx in try await store.notes.createNote(draft, author: author, in: tx) }.id
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let head = try await store.events.eventLogHead()
            return NotesBenchSetup(secret: secret, users: people, customers: customerIDs, timelineCustomerID: timelineCustomerID,
                                   timelineIDs: Set([first.id] + rest), head: head)
        }

        private static func ingest(_ new: NewInteraction, into store: Store) async throws -> Interaction {
            try await store.write(prefetch: .ingest(new)) { tx in try await store.interactions.ingestInteraction(new, actor: .system, in: tx) }.interaction
        }
    }
}

/// What the notes benchmark wrote before the server started.
struct NotesBenchSetup: Sendable {
    var secret: String
    var users: [NoteBenchUser]
    var customers: [String]
    var timelineCustomerID: String
    /// Every entry of that customer's timeline.
    var timelineIDs: Set<String>
    /// The log's head once all that was written.
    var head: Int64
}

/// A signed-in user: a bearer session token, as `POST /v1/session` with `"cookie": false` answers one.
struct NoteBenchUser: Sendable {
    var id: String
    var name: String
    var token: String
}

/// The API as one credential (an API key or a session token) uses it, over a client of its own.
struct NotesBenchAPI: Sendable {
    let http: HTTPClient
    let baseURL: String
    let bearer: String

    /// Sends a request; the response with its body still to read (an event stream's never ends).
    func open(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, timeout: TimeAmount = .seconds(30)) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers = ["Authorization": "Bearer \(bearer)", "Content-Type": "application/json"]
        request.body = json.map { HTTPClientRequest.Body.bytes(ByteBuffer(bytes: $0.serialized())) }
        return try await http.execute(request, timeout: timeout)
    }

    /// Sends a request and reads the whole answer: its JSON, and when its last byte arrived. Any
    /// status but `expect` stops the benchmark.
    func call(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, expect: UInt) async throws -> (JSONValue, ContinuousClock.Instant) {
        let response = try await open(method, path, json: json)
        let body = try await response.body.collect(upTo: 1 << 24)
        let arrived = ContinuousClock.now
        guard response.status.code == expect else {
            throw BenchFailure("\(method) \(path) answered \(response.status.code): \(String(buffer: body))")
        }
        return (try JSONParser.parse(Array(body.readableBytesView)), arrived)
    }
}

/// Each posted note with its mentioned user and times, and the notifications the users' event
/// streams delivered, kept first come.
final class NotificationLog: Sendable {
    struct Post: Sendable {
        var userID: String
        /// Posted after the warm-up.
        var measured: Bool
        var issued: ContinuousClock.Instant
        var responded: ContinuousClock.Instant
    }

    private struct State {
        var posts: [String: Post] = [:]
        /// By note id: the user whose stream delivered it, and when.
        var arrivals: [String: (userID: String, at: ContinuousClock.Instant)] = [:]
        /// Notifications delivered on a stream whose user they are not for.
        var foreign = 0
        var firstPostFailure: String?
        var streamFailure: String?
    }

    private let state = Mutex(State())

    func posted(_ noteID: String, _ post: Post) {
        state.withLock { $0.posts[noteID] = post }
    }

    func postFailed(_ description: String) {
        state.withLock { if $0.firstPostFailure == nil { $0.firstPostFailure = description } }
    }

    func streamFailed(_ description: String) {
        state.withLock { if $0.streamFailure == nil { $0.streamFailure = description } }
    }

    var streamFailure: String? { state.withLock { $0.streamFailure } }

    /// An event from `userID`'s stream at `time`: a `rapport.notification.created` CloudEvent.
    func arrived(_ event: JSONValue, on userID: String, at time: ContinuousClock.Instant) {
        let notification = event.objectValue?["data"]?.objectValue?["notification"]?.objectValue
        guard let noteID = notification?["note_id"]?.stringValue else { return }
        let owner = notification?["user_id"]?.stringValue
        state.withLock { state in
            guard owner == userID else {
                state.foreign += 1
                return
            }
            if state.arrivals[noteID] == nil { state.arrivals[noteID] = (userID, time) }
        }
    }

    /// Posted notes whose mentioned user's stream has not delivered their notification yet.
    var outstanding: Int {
        state.withLock { state in
            state.posts.reduce(0) { count, post in count + (state.arrivals[post.key]?.userID == post.value.userID ? 0 : 1) }
        }
    }

    /// The figures over the notes posted after the warm-up (`windowStart` on the pacing's
    /// schedule); what never arrived, over all.
    func figures(windowStart: ContinuousClock.Instant, failures: Int) -> NotificationFigures {
        let state = self.state.withLock { $0 }
        var delivery: [Double] = []
        var fromRequest: [Double] = []
        var post: [Double] = []
        var neverArrived = 0
        var early = 0
        var lastAnswer = windowStart
        for (noteID, note) in state.posts {
            let arrival = state.arrivals[noteID].flatMap { $0.userID == note.userID ? $0.at : nil }
            if arrival == nil { neverArrived += 1 }
            guard note.measured else { continue }
            lastAnswer = max(lastAnswer, note.responded)
            post.append((note.responded - note.issued).inMilliseconds)
            if let arrival {
                // The stream may hear of the commit before the POST's answer is read.
                if arrival < note.responded { early += 1 }
                delivery.append(max(0, (arrival - note.responded).inMilliseconds))
                fromRequest.append((arrival - note.issued).inMilliseconds)
            }
        }
        let seconds = (lastAnswer - windowStart).inMilliseconds / 1_000
        return NotificationFigures(posted: state.posts.count, delivery: LatencySample(milliseconds: delivery),
                                   fromRequest: LatencySample(milliseconds: fromRequest),
                                   post: LatencySample(milliseconds: post), achievedRate: seconds > 0 ? Double(post.count) / seconds : 0,
                                   neverArrived: neverArrived, foreign: state.foreign, early: early, failures: failures,
                                   firstFailure: state.firstPostFailure, streamFailure: state.streamFailure)
    }
}

struct NotificationFigures {
    /// Notes answered 201, the warm-up's included.
    var posted: Int
    /// From each measured note's 201 to its notification on its user's stream.
    var delivery: LatencySample
    /// From each measured note's POST being sent to its notification on its user's stream: the
    /// commit lies between, so this bounds commit-to-stream from above.
    var fromRequest: LatencySample
    /// The measured notes' POST round trips.
    var post: LatencySample
    /// Measured notes answered a second, from the end of the warm-up to the last answer.
    var achievedRate: Double
    var neverArrived: Int
    var foreign: Int
    var early: Int
    var failures: Int
    var firstFailure: String?
    var streamFailure: String?
}

struct TimelineFigures {
    var firstPage: LatencySample
    var wrongFirstPages: Int
    /// Milliseconds each page-through took.
    var runs: [Double]
    var pages: Int
    var entries: Int
    var problem: String?
}

private extension Duration {
    var inMilliseconds: Double { Double(nanoseconds) / 1e6 }
}
