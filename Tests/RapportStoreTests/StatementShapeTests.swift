@testable import RapportStore
import Testing

/// The few lengths the writer's list statements come in.
@Suite("Store: statement shapes") struct StatementShapeTests {
    @Test func lengthsArePowersOfTwo() {
        #expect([0, 1, 2, 3, 4, 5, 63, 64, 65, 400].map(StatementShape.paddedLength) == [1, 1, 2, 4, 4, 8, 64, 64, 128, 512])
    }

    @Test func paddingRepeatsTheLastValue() {
        #expect(StatementShape.padded(["a", "b", "c"]) == ["a", "b", "c", "c"])
        #expect(StatementShape.padded(["a", "b"]) == ["a", "b"])
        #expect(StatementShape.padded([String]()) == [])
        #expect(StatementShape.padded(["a", "b", "c", "d", "e"]) == ["a", "b", "c", "d", "e", "e", "e", "e"])
    }

    @Test func rowCountsSplitIntoDescendingPowersOfTwo() {
        #expect(StatementShape.chunkLengths(0) == [])
        #expect(StatementShape.chunkLengths(1) == [1])
        #expect(StatementShape.chunkLengths(13) == [8, 4, 1])
        #expect(StatementShape.chunkLengths(64) == [64])
        for count in 1...300 {
            let lengths = StatementShape.chunkLengths(count)
            #expect(lengths.reduce(0, +) == count)
            #expect(lengths == lengths.sorted(by: >))
            #expect(lengths.allSatisfy { $0 & ($0 - 1) == 0 })
        }
    }
}
