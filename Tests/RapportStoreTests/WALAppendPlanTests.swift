@testable import RapportStore
import Testing

/// Which writes of the writer's log wait for the rest of their commit, and which go at once.
@Suite("Store: the write-ahead log's writes held until their commit") struct WALAppendPlanTests {
    private typealias Extent = WALAppendPlan.Extent

    /// Frame `index` of a log with 4,096-byte pages: its header's offset, then its page's.
    private func offsets(ofFrame index: Int) -> (header: Int64, page: Int64) {
        let header = Int64(32 + index * (24 + 4_096))
        return (header, header + 24)
    }

    @Test func theFramesOfACommitReachTheFileWithItsLastHeaderAndThenItsPage() {
        var plan = WALAppendPlan(capacity: 1 << 20)
        var position = 0
        for frame in 0..<3 {
            let (header, page) = offsets(ofFrame: frame)
            #expect(plan.write(count: 24, at: header, commitFrameHeader: false) == .hold(bufferPosition: position))
            #expect(plan.write(count: 4_096, at: page, commitFrameHeader: false) == .hold(bufferPosition: position + 24))
            position += 24 + 4_096
        }
        let (header, page) = offsets(ofFrame: 3)
        #expect(plan.write(count: 24, at: header, commitFrameHeader: true) == .write(flushing: Extent(offset: 32, count: position)))
        #expect(plan.write(count: 4_096, at: page, commitFrameHeader: false) == .write(flushing: nil))
        #expect(plan.held == nil)
        // The next commit is held again from its first frame.
        #expect(plan.write(count: 24, at: page + 4_096, commitFrameHeader: false) == .hold(bufferPosition: 0))
    }

    @Test func aCommitOfOneFrameGoesStraightToTheFile() {
        var plan = WALAppendPlan(capacity: 1 << 20)
        let (header, page) = offsets(ofFrame: 0)
        #expect(plan.write(count: 24, at: header, commitFrameHeader: true) == .write(flushing: nil))
        #expect(plan.write(count: 4_096, at: page, commitFrameHeader: false) == .write(flushing: nil))
        #expect(plan.held == nil)
    }

    @Test func aWriteThatDoesNotContinueWhatIsHeldSendsItFirstAndGoesItself() {
        var plan = WALAppendPlan(capacity: 1 << 20)
        let (header, page) = offsets(ofFrame: 5)
        _ = plan.write(count: 24, at: header, commitFrameHeader: false)
        _ = plan.write(count: 4_096, at: page, commitFrameHeader: false)
        // A checksum rewritten further back (or the log's header when it starts again).
        #expect(plan.write(count: 24, at: offsets(ofFrame: 1).header, commitFrameHeader: false)
                == .write(flushing: Extent(offset: header, count: 24 + 4_096)))
        #expect(plan.held == nil)
    }

    @Test func aRewrittenCommitHeaderIsNeverLeftHeld() {
        var plan = WALAppendPlan(capacity: 1 << 20)
        // walRewriteChecksums reads a frame (which releases what is held), then writes its header;
        // the last one it writes is the commit's.
        #expect(plan.release() == nil)
        #expect(plan.write(count: 24, at: offsets(ofFrame: 2).header, commitFrameHeader: false) == .hold(bufferPosition: 0))
        #expect(plan.release() == Extent(offset: offsets(ofFrame: 2).header, count: 24))
        #expect(plan.write(count: 24, at: offsets(ofFrame: 3).header, commitFrameHeader: true) == .write(flushing: nil))
        #expect(plan.held == nil)
    }

    @Test func whatWouldOverflowTheBufferSendsWhatIsHeldAndGoesItself() {
        var plan = WALAppendPlan(capacity: 5_000)
        let (header, page) = offsets(ofFrame: 0)
        _ = plan.write(count: 24, at: header, commitFrameHeader: false)
        _ = plan.write(count: 4_096, at: page, commitFrameHeader: false)
        let next = offsets(ofFrame: 1)
        #expect(plan.write(count: 24, at: next.header, commitFrameHeader: false) == .hold(bufferPosition: 4_120))
        #expect(plan.write(count: 4_096, at: next.page, commitFrameHeader: false)
                == .write(flushing: Extent(offset: header, count: 4_144)))
        // A single write larger than the buffer is never held.
        #expect(plan.write(count: 8_192, at: 0, commitFrameHeader: false) == .write(flushing: nil))
    }

    @Test func releasingLeavesNothingHeld() {
        var plan = WALAppendPlan(capacity: 1 << 20)
        _ = plan.write(count: 24, at: 32, commitFrameHeader: false)
        #expect(plan.release() == Extent(offset: 32, count: 24))
        #expect(plan.release() == nil)
    }

    @Test func onlyAFrameHeaderWithTheDatabaseSizeSetEndsACommit() {
        var header = [UInt8](repeating: 0, count: 24)
        header[3] = 7 // page number 7
        #expect(header.withUnsafeBytes(WALAppendPlan.isCommitFrameHeader) == false)
        header[7] = 12 // the database has 12 pages after this commit
        #expect(header.withUnsafeBytes(WALAppendPlan.isCommitFrameHeader) == true)
        // A page that happens to hold the same bytes is not a header.
        let page = header + [UInt8](repeating: 0, count: 4_096 - 24)
        #expect(page.withUnsafeBytes(WALAppendPlan.isCommitFrameHeader) == false)
    }
}
