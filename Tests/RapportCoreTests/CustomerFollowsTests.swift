import RapportCore
import Testing

/// Who hears that a customer wrote, answered from the follows read for a batch.
@Suite("Core: followers from a batch's follows") struct CustomerFollowsTests {
    let follows = CustomerFollows(customerIDs: ["cus_a", "cus_b", "cus_c"], follows: [
        ("usr_2", "cus_a", nil),
        ("usr_1", "cus_a", "cnv_1"),
        ("usr_3", "cus_a", "cnv_2"),
        ("usr_2", "cus_a", "cnv_1"),
        ("usr_4", "cus_b", "cnv_9"),
        ("usr_5", "cus_z", nil),
    ])

    @Test func followingTheCustomerCoversEveryConversation() {
        #expect(follows.followers(ofCustomer: "cus_a", conversationID: "cnv_1") == ["usr_1", "usr_2"])
        #expect(follows.followers(ofCustomer: "cus_a", conversationID: "cnv_2") == ["usr_2", "usr_3"])
        #expect(follows.followers(ofCustomer: "cus_a", conversationID: nil) == ["usr_2"])
    }

    @Test func aConversationsFollowersHearOnlyOfIt() {
        #expect(follows.followers(ofCustomer: "cus_b", conversationID: "cnv_9") == ["usr_4"])
        #expect(follows.followers(ofCustomer: "cus_b", conversationID: "cnv_8") == [])
    }

    @Test func onlyTheCustomersReadAreCovered() {
        #expect(follows.covers("cus_c"))
        #expect(follows.followers(ofCustomer: "cus_c", conversationID: "cnv_1") == [])
        // A follow of a customer that was not asked for is not taken in: the answer for it is not known here.
        #expect(!follows.covers("cus_z"))
        #expect(follows.followers(ofCustomer: "cus_z", conversationID: nil) == [])
        #expect(!CustomerFollows.none.covers("cus_a"))
    }
}
