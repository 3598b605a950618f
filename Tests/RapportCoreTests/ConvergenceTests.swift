@testable import RapportCore
import Testing

@Suite("Field convergence")
struct ConvergenceTests {
    @Test func clockReadingsOnlyGoUp() throws {
        var clock = HybridClock(maxSkewMilliseconds: 1_000)
        let first = clock.now(physical: 100)
        let second = clock.now(physical: 100)
        let third = clock.now(physical: 90)
        #expect(first < second && second < third)
        #expect(first == HybridTimestamp(milliseconds: 100, counter: 0))
        let received = try clock.receive(HybridTimestamp(milliseconds: 500, counter: 3), physical: 100)
        #expect(received == HybridTimestamp(milliseconds: 500, counter: 4))
        #expect(clock.now(physical: 600) == HybridTimestamp(milliseconds: 600))
    }

    @Test func timestampsTooFarAheadAreRefused() {
        var clock = HybridClock(maxSkewMilliseconds: 1_000)
        #expect(throws: ClockSkewError.self) { try clock.receive(HybridTimestamp(milliseconds: 2_101), physical: 1_100) }
        #expect(clock.last == HybridTimestamp(milliseconds: 0))
    }

    @Test func timestampTextRoundTrips() {
        let stamp = HybridTimestamp(milliseconds: 1_795_316_400_123, counter: 7)
        #expect(HybridTimestamp(stamp.description) == stamp)
        #expect(HybridTimestamp("12") == nil)
        #expect(HybridTimestamp("-1-2") == nil)
    }

    @Test func versionsOrderByTimeThenPriorityThenSource() {
        let early = FieldVersion(timestamp: HybridTimestamp(milliseconds: 1), sourcePriority: 9, sourceID: "z")
        let late = FieldVersion(timestamp: HybridTimestamp(milliseconds: 2), sourcePriority: 0, sourceID: "a")
        let trusted = FieldVersion(timestamp: HybridTimestamp(milliseconds: 2), sourcePriority: 1, sourceID: "a")
        #expect(early < late && late < trusted)
        #expect(FieldVersion(timestamp: late.timestamp, sourceID: "b") > late)
    }

    @Test func addWinsAgainstARemoveOfTheSameVersionAndLaterRemoveWins() {
        var set = ConvergentSet<String>()
        let v1 = FieldVersion(timestamp: HybridTimestamp(milliseconds: 1), sourceID: "web")
        let v2 = FieldVersion(timestamp: HybridTimestamp(milliseconds: 2), sourceID: "web")
        set.add("a@example.com", version: v1)
        set.remove("a@example.com", version: v1)
        #expect(set.elements == ["a@example.com"])
        set.remove("a@example.com", version: v2)
        #expect(set.elements.isEmpty)
    }

    /// One write of a random schedule.
    enum Operation: Sendable {
        case set(field: Int, value: String?, provenance: Provenance)
        case add(String, FieldVersion)
        case remove(String, FieldVersion)
    }

    struct Replica: Equatable {
        var fields = [ConvergentRegister<String>](repeating: ConvergentRegister(), count: 3)
        var tags = ConvergentSet<String>()

        mutating func apply(_ operation: Operation) {
            switch operation {
            case .set(let field, let value, let provenance): fields[field].apply(value, provenance: provenance)
            case .add(let tag, let version): tags.add(tag, version: version)
            case .remove(let tag, let version): tags.remove(tag, version: version)
            }
        }
    }

    @Test func anyOrderWithDuplicatesGivesTheSameRecord() {
        let seed: UInt64 = 0x5241_5050_4F52_5403
        var random = SeededRandom(seed: seed)
        for schedule in 0..<2_000 {
            var operations: [Operation] = []
            for _ in 0..<Int.random(in: 1...24, using: &random) {
                let version = FieldVersion(
                    timestamp: HybridTimestamp(milliseconds: Int64.random(in: 0...6, using: &random),
                                               counter: UInt32.random(in: 0...2, using: &random)),
                    sourcePriority: Int.random(in: 0...1, using: &random),
                    sourceID: ["web", "store", "app"].randomElement(using: &random)!)
                let tag = ["vip", "b2b", "newsletter"].randomElement(using: &random)!
                switch Int.random(in: 0..<4, using: &random) {
                case 0: operations.append(.add(tag, version))
                case 1: operations.append(.remove(tag, version))
                default:
                    let value: String? = Bool.random(using: &random) ? nil : ["Ana", "Anna", "Ana Lima"].randomElement(using: &random)!
                    operations.append(.set(field: Int.random(in: 0..<3, using: &random), value: value,
                                           provenance: Provenance(version: version, channelID: version.sourceID)))
                }
            }
            var reference = Replica()
            operations.forEach { reference.apply($0) }
            for _ in 0..<5 {
                var delivered = operations + operations.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
                delivered.shuffle(using: &random)
                var replica = Replica()
                delivered.forEach { replica.apply($0) }
                guard replica == reference else {
                    Issue.record("schedule \(schedule) diverged (seed \(seed)): \(operations)")
                    return
                }
            }
            // Merging two halves seen by different replicas converges too.
            let split = Int.random(in: 0...operations.count, using: &random)
            var left = Replica()
            var right = Replica()
            operations[..<split].forEach { left.apply($0) }
            operations[split...].forEach { right.apply($0) }
            let merged = Replica(fields: zip(left.fields, right.fields).map { $0.merged(with: $1) },
                                 tags: left.tags.merged(with: right.tags))
            #expect(merged == reference, "schedule \(schedule), seed \(seed)")
        }
    }
}
