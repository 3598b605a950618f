import Synchronization
import Testing
@testable import RapportCore

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    private let milliseconds: Mutex<Int64>

    init(_ start: Int64) {
        milliseconds = Mutex(start)
    }

    func set(_ value: Int64) {
        milliseconds.withLock { $0 = value }
    }

    func read() -> Int64 {
        milliseconds.withLock { $0 }
    }
}

@Suite("Record ids")
struct RecordIDTests {
    private static let frozen: Int64 = 1_795_316_400_123

    @Test func strictlyIncreaseOnAFrozenClock() throws {
        let generator = RecordIDGenerator(clock: { Self.frozen })
        var previous = ""
        for _ in 0..<10_000 {
            let id = generator.next(prefix: "cus")
            #expect(id > previous)
            #expect(RecordIDFormat.isValid(id, prefix: "cus"))
            #expect(RecordIDFormat.milliseconds(of: id, prefix: "cus") == Self.frozen)
            previous = id
        }
    }

    @Test func stayMonotonicWhenTheClockStepsBack() {
        let clock = ManualClock(Self.frozen)
        let generator = RecordIDGenerator(clock: { clock.read() })
        let first = generator.next(prefix: "int")
        clock.set(Self.frozen - 5_000)
        let second = generator.next(prefix: "int")
        #expect(second > first)
        #expect(RecordIDFormat.milliseconds(of: second, prefix: "int") == Self.frozen)
        clock.set(Self.frozen + 1)
        let third = generator.next(prefix: "int")
        #expect(third > second)
        #expect(RecordIDFormat.milliseconds(of: third, prefix: "int") == Self.frozen + 1)
    }

    @Test func sortByTimeAcrossMilliseconds() {
        let clock = ManualClock(1_000)
        let generator = RecordIDGenerator(clock: { clock.read() })
        var ids: [String] = []
        for step in 0..<200 {
            clock.set(1_000 + Int64(step / 3) * 7)
            ids.append(generator.next(prefix: "evt"))
        }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(RecordIDFormat.milliseconds(of: ids[199], prefix: "evt") == Int64(1_000 + 66 * 7))
    }

    @Test func uniqueAcrossConcurrentCallers() async {
        let generator = RecordIDGenerator(clock: { Self.frozen })
        let batches = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<1_000).map { _ in generator.next(prefix: "cus") }
                }
            }
            var all: [[String]] = []
            for await batch in group {
                all.append(batch)
            }
            return all
        }
        let ids = batches.flatMap { $0 }
        #expect(Set(ids).count == 8_000)
        for batch in batches {
            #expect(batch == batch.sorted())
        }
    }

    @Test func encodesTheULIDLayout() {
        #expect(RecordIDFormat.encode(0, prefix: "cus") == "cus_00000000000000000000000000")
        #expect(RecordIDFormat.encode(.max, prefix: "cus") == "cus_7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        #expect(RecordIDFormat.encode(31, prefix: "x") == "x_0000000000000000000000000Z")
        // The example from the ULID specification carries 1469922850259 ms.
        #expect(RecordIDFormat.milliseconds(of: "u_01ARZ3NDEKTSV4RRFFQ69G5FAV", prefix: "u") == 1_469_922_850_259)
        let generator = RecordIDGenerator(clock: { 1_469_922_850_259 })
        #expect(generator.next(prefix: "u").hasPrefix("u_01ARZ3NDEK"))
    }

    @Test func sharedGeneratorMakesValidIDs() {
        let first = RecordID.next(prefix: "cus")
        let second = RecordIDGenerator.shared.next(prefix: "cus")
        #expect(RecordIDFormat.isValid(first, prefix: "cus"))
        #expect(second > first)
        #expect(first.utf8.count == 30)
    }

    @Test(arguments: [
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0AB", true),
        ("cus_7ZZZZZZZZZZZZZZZZZZZZZZZZZ", true),
        ("cus_00000000000000000000000000", true),
        ("cus_81JD3ZK5Q4VXW8T6M2N9P7R0AB", false),
        ("cus_Z1JD3ZK5Q4VXW8T6M2N9P7R0AB", false),
        ("cus_01jd3zk5q4vxw8t6m2n9p7r0ab", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0AI", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0AL", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0AO", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0AU", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0A", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0ABC", false),
        ("cus-01JD3ZK5Q4VXW8T6M2N9P7R0AB", false),
        ("cu_01JD3ZK5Q4VXW8T6M2N9P7R0ABX", false),
        ("org_01JD3ZK5Q4VXW8T6M2N9P7R0AB", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0A-", false),
        ("cus_01JD3ZK5Q4VXW8T6M2N9P7R0AÉ", false),
        ("cus_", false),
        ("", false),
    ])
    func validatesFormat(id: String, valid: Bool) {
        #expect(RecordIDFormat.isValid(id, prefix: "cus") == valid)
        if !valid {
            #expect(RecordIDFormat.milliseconds(of: id, prefix: "cus") == nil)
        }
    }

    @Test func emptyPrefixStillNeedsTheUnderscore() {
        #expect(RecordIDFormat.isValid("_01JD3ZK5Q4VXW8T6M2N9P7R0AB", prefix: ""))
        #expect(!RecordIDFormat.isValid("01JD3ZK5Q4VXW8T6M2N9P7R0AB", prefix: ""))
    }
}
