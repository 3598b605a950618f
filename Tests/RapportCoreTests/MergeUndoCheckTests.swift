import RapportCore
import Testing

/// Undo restores the snapshots a merge took, so it is allowed only when nothing since would be lost.
@Suite("Merging: can a merge be undone exactly")
struct MergeUndoCheckTests {
    static let time = Timestamp(microseconds: 1_700_000_000_000_000)
    static func customer(_ id: String, name: String = "Ana", version: Int64 = 3) -> Customer {
        var customer = Customer(id: id, kind: .person, name: name, createdAt: time, updatedAt: time)
        customer.version = version
        return customer
    }

    @Test("untouched since the merge: exact")
    func exact() {
        let after = Self.customer("cus_s")
        #expect(MergeUndoCheck.blocking(survivorAfter: after, survivorNow: after, absorbedIDs: ["cus_a"],
                                        absorbedNowMergedInto: ["cus_a": "cus_s"]).isEmpty)
    }

    @Test("a later change to the survivor blocks, naming the fields")
    func survivorChanged() {
        let after = Self.customer("cus_s")
        var now = Self.customer("cus_s", name: "Ana Lima", version: 4)
        now.company = "Lima GmbH"
        let blocking = MergeUndoCheck.blocking(survivorAfter: after, survivorNow: now, absorbedIDs: [], absorbedNowMergedInto: [:])
        #expect(blocking.count == 1)
        #expect(Set(blocking.first?.fields ?? []) == ["name", "company"])
        #expect(blocking.first?.reason.contains("version 3 → 4") == true)
    }

    @Test("a survivor merged on or deleted, and an absorbed customer that moved on, each block")
    func movedOn() {
        let after = Self.customer("cus_s")
        var mergedOn = after
        mergedOn.mergedInto = "cus_x"
        #expect(MergeUndoCheck.blocking(survivorAfter: after, survivorNow: mergedOn, absorbedIDs: [], absorbedNowMergedInto: [:])
            .first?.reason.contains("cus_x") == true)
        var deleted = after
        deleted.deletedAt = Self.time
        #expect(MergeUndoCheck.blocking(survivorAfter: after, survivorNow: deleted, absorbedIDs: [], absorbedNowMergedInto: [:])
            .first?.reason == "was deleted after the merge")
        let absorbed = MergeUndoCheck.blocking(survivorAfter: after, survivorNow: after, absorbedIDs: ["cus_a", "cus_b"],
                                               absorbedNowMergedInto: ["cus_a": "cus_s", "cus_b": nil])
        #expect(absorbed.map(\.customerID) == ["cus_b"])
    }
}
