import RapportCore
import Testing

@Suite("Consent: what a customer said decides what may be sent")
struct ConsentLedgerTests {
    static func entry(_ id: String, _ channel: String, _ purpose: String, _ granted: Bool, _ at: String) -> ConsentLedger.Entry {
        ConsentLedger.Entry(recordID: id, channel: channel, purpose: purpose, granted: granted, givenAt: Timestamp(rfc3339: at)!)
    }

    @Test("marketing and research need a grant that is the last word for the channel; service goes unless withdrawn")
    func decisions() {
        let none = ConsentLedger([])
        #expect(none.decision(channel: "email", purpose: .service) == .allowed)
        #expect(none.decision(channel: "email", purpose: .marketing) == .refused("the customer has not consented to marketing by email"))

        let ledger = ConsentLedger([
            Self.entry("rec_1", "email", "marketing", true, "2026-01-10T09:00:00Z"),
            Self.entry("rec_2", "email", "marketing", false, "2026-06-01T12:00:00Z"),
            Self.entry("rec_3", "sms", "marketing", false, "2026-01-01T00:00:00Z"),
            Self.entry("rec_4", "sms", "marketing", true, "2026-03-01T00:00:00Z"),
            Self.entry("rec_5", "email", "service", false, "2026-02-01T00:00:00Z"),
        ])
        // The withdrawal given last wins over the earlier grant, and is named.
        #expect(ledger.decision(channel: "email", purpose: .marketing)
                == .refused("the customer withdrew consent to marketing by email on 2026-06-01T12:00:00.000Z (record rec_2)"))
        // A grant given after a withdrawal allows again.
        #expect(ledger.decision(channel: "sms", purpose: .marketing) == .allowed)
        // One channel's answer says nothing of another's, nor of another purpose.
        #expect(ledger.decision(channel: "push", purpose: .marketing) == .refused("the customer has not consented to marketing by push"))
        #expect(ledger.decision(channel: "sms", purpose: .research) == .refused("the customer has not consented to research by sms"))
        #expect(ledger.decision(channel: "email", purpose: .service) != .allowed, "a customer may refuse even service email")
        #expect(ledger.decision(channel: "sms", purpose: .service) == .allowed)
        // Where no consent can be recorded, only service goes.
        #expect(ledger.decision(channel: nil, purpose: .service) == .allowed)
        #expect(ledger.decision(channel: nil, purpose: .marketing) != .allowed)
    }

    @Test("a consent record's fields are read; anything else is not a consent")
    func reading() {
        let fields: JSONObject = ["channel": "email", "purpose": "marketing", "status": "granted", "given_at": "2026-01-10T09:00:00Z"]
        #expect(ConsentLedger.Entry(recordID: "rec_1", fields: fields) == Self.entry("rec_1", "email", "marketing", true, "2026-01-10T09:00:00Z"))
        var odd = fields
        odd["status"] = "maybe"
        #expect(ConsentLedger.Entry(recordID: "rec_1", fields: odd) == nil)
        odd = fields
        odd["given_at"] = nil
        #expect(ConsentLedger.Entry(recordID: "rec_1", fields: odd) == nil)
        #expect(ConsentLedger.consentChannel(of: .mobileApp) == "push")
        #expect(ConsentLedger.consentChannel(of: .chat) == nil)
    }

    @Test("standings list every channel and purpose with the last word and what a sender would do")
    func standings() {
        let ledger = ConsentLedger([
            Self.entry("rec_1", "email", "marketing", true, "2026-01-10T09:00:00Z"),
            Self.entry("rec_2", "email", "marketing", false, "2026-06-01T12:00:00Z"),
            Self.entry("rec_4", "sms", "research", true, "2026-03-01T00:00:00Z"),
        ])
        let standings = ledger.standings
        #expect(standings.count == ConsentLedger.channels.count * MessagePurpose.allCases.count)
        #expect(standings.map(\.channel).prefix(3) == ["email", "email", "email"])
        let emailMarketing = standings.first { $0.channel == "email" && $0.purpose == .marketing }
        #expect(emailMarketing?.lastWord?.recordID == "rec_2")
        #expect(emailMarketing?.decision == ledger.decision(channel: "email", purpose: .marketing))
        let smsResearch = standings.first { $0.channel == "sms" && $0.purpose == .research }
        #expect(smsResearch?.lastWord?.granted == true)
        #expect(smsResearch?.decision == .allowed)
        let postService = standings.first { $0.channel == "post" && $0.purpose == .service }
        #expect(postService?.lastWord == nil)
        #expect(postService?.decision == .allowed)
    }
}
