import RapportCore
import Testing

/// JSON and JSON Schema read `1674.0` as the integer 1674: every request field that takes an
/// integer accepts it within range, and refuses `1674.5` by name.
@Suite("Input: integers written with a fraction")
struct IntegerInputTests {
    @Test("integralValue: whole numbers in any notation, nothing else")
    func integralValue() {
        #expect(JSONValue.integer(7).integralValue == 7)
        #expect(JSONValue.double(1674.0).integralValue == 1674)
        #expect(JSONValue.double(-2.0).integralValue == -2)
        #expect(JSONValue.double(1674.5).integralValue == nil)
        #expect(JSONValue.double(1e30).integralValue == nil)
        #expect(JSONValue.string("3").integralValue == nil)
        #expect(JSONValue.bool(true).integralValue == nil)
    }

    @Test("the parser's 1674.0 and 1e3 are integers to InputReader.integer")
    func parsedNumbers() throws {
        var reader = try InputReader(try JSONParser.parse(Array(#"{"a": 1674.0, "b": 1e3, "c": 1674.5, "d": 5}"#.utf8)))
        #expect(reader.integer("a", in: 0...2_000) == 1674)
        #expect(reader.integer("b", in: 0...2_000) == 1_000)
        #expect(reader.integer("c", in: 0...2_000) == nil)
        #expect(reader.integer("d", in: 0...4) == nil)
        #expect(reader.issues.map(\.field) == ["c", "d"])
    }

    @Test("routing rule position")
    func position() throws {
        func rule(_ position: JSONValue) -> JSONValue {
            ["name": "r", "trigger": "interaction.created", "position": position, "actions": ["department": "service"]]
        }
        #expect(try RoutingRuleDraft.read(rule(779737.0), keywordSets: nil).position == 779_737)
        #expect(Self.fields { _ = try RoutingRuleDraft.read(rule(779737.5), keywordSets: nil) } == ["position"])
    }

    @Test("classifier history_limit")
    func historyLimit() throws {
        #expect(try ClassifierTrainingRequest.read(["history_limit": 1674.0]).historyLimit == 1674)
        #expect(Self.fields { _ = try ClassifierTrainingRequest.read(["history_limit": 1674.5]) } == ["history_limit"])
    }

    @Test("routing settings thread_window_minutes")
    func threadWindow() throws {
        #expect(try RoutingSettings.read(["thread_window_minutes": 2.0]).threadWindowMinutes == 2)
        #expect(Self.fields { _ = try RoutingSettings.read(["thread_window_minutes": 2.5]) } == ["thread_window_minutes"])
    }

    @Test("secret rotation previous_secret_expires_in")
    func secretRotation() throws {
        #expect(try SecretRotation.read(["previous_secret_expires_in": 100.0]).previousExpiresIn == .seconds(100))
        #expect(Self.fields { _ = try SecretRotation.read(["previous_secret_expires_in": 100.5]) } == ["previous_secret_expires_in"])
    }

    @Test("sync push hlc in milliseconds")
    func hlc() throws {
        let normalizer = try IdentityNormalizer(defaultRegion: "US")
        func push(_ hlc: JSONValue) -> JSONValue {
            ["channel_id": "chn_1", "changes": [["change_id": "c1", "hlc": hlc, "identity": "email:ana@example.com", "set": ["name": "Ana"]]]]
        }
        #expect(try SyncPush.read(push(1.0), normalizer: normalizer).changes.first?.timestamp == HybridTimestamp(milliseconds: 1))
        #expect(Self.fields { _ = try SyncPush.read(push(1.5), normalizer: normalizer) } == ["changes[0].hlc"])
    }

    /// The fields `body` was refused for; empty when it was not.
    private static func fields(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let failure as ValidationFailure {
            return failure.issues.map(\.field)
        } catch {
            return ["not a ValidationFailure: \(error)"]
        }
    }
}
