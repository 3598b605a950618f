import ArgumentParser
import Foundation
import RapportCore

extension Bench {
    /// What ingest does for each interaction outside the database, one step at a time in this
    /// process: a conversation's JSON and its text (twice or three times an interaction, in its
    /// events), an email identity's normalization, and an interaction's request body parsed and read.
    struct Records: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "records", abstract: "Measure the per-interaction work of ingest outside the database, in µs a step.")

        @Option(help: "Rounds of each step per run.")
        var rounds = 200_000

        @Option(name: .customLong("repeat"), help: "Runs; the fastest is reported.")
        var repeats = 3

        func run() throws {
            let now = Timestamp.now()
            let conversation = Conversation(id: "con_01JD3ABCDEFGHJKMNPQRSTVWXY", customerID: "cus_01JD3ABCDEFGHJKMNPQRSTVWXY",
                                            channelID: "chn_web", threadKey: nil, subject: "Order 1234", tags: ["vip"],
                                            interactionCount: 3, lastInteractionAt: now, createdAt: now, updatedAt: now)
            let normalizer = try IdentityNormalizer(defaultRegion: "US")
            let identities = (0..<1_000).map { "email:Customer.\($0)+tag@Example-Shop.com" }
            let bodies = (0..<1_000).map { index in
                Array(#"{"channel_id":"chn_web","identity":"email:bench-ab12cd34-\#(index)@example.com","kind":"message","direction":"inbound","body":"Hello, I would like to know where my order is.","external_id":"bench-ab12cd34-3-\#(index)"}"#.utf8)
            }
            let parsed = try bodies.map { try JSONParser.parse($0) }
            var touched = 0
            let steps: [(name: String, step: (Int) throws -> Int)] = [
                ("a conversation's JSON", { _ in conversation.json.objectValue?.count ?? 0 }),
                ("a conversation's JSON and its text", { _ in conversation.json.jsonString.utf8.count }),
                ("an email identity normalized", { round in try normalizer.parse(identities[round % 1_000]).value.utf8.count }),
                ("an interaction's request body parsed", { round in try JSONParser.parse(bodies[round % 1_000]).objectValue?.count ?? 0 }),
                ("an interaction's request body read", { round in
                    try NewInteraction.read(parsed[round % 1_000], normalizer: normalizer).body?.utf8.count ?? 0 }),
            ]
            for (name, step) in steps {
                var best = Duration.seconds(1_000)
                for _ in 0..<repeats {
                    let start = ContinuousClock.now
                    for round in 0..<rounds { touched &+= try step(round) }
                    best = min(best, (ContinuousClock.now - start) / rounds)
                }
                print("\(name): \(String(format: "%.2f", best / .microseconds(1))) µs")
            }
            // Keeps the work from being optimized away.
            if touched == 42 { print("") }
        }
    }
}
