import Foundation
import HTTPTypes
import RapportChannels
import RapportCore
import RapportServer
import RapportStore
import RapportTestSupport
import Testing

@Suite("Meetings over the API") struct MeetingTests {
    /// The relay is never reached in these tests: invitations wait in the queue, which is what they check.
    let mail = MailSettings(relay: RelayConfiguration(host: "127.0.0.1", port: 1, security: .none, hostname: "rapport.test"),
                            retrySchedule: RetrySchedule(delays: [.seconds(3_600)]), hostname: "rapport.test")

    @Test func aMeetingIsScheduledAnsweredChangedAndCancelled() async throws {
        try await withApp(mail: mail) { api, _, store in
            let channel = try await api.post("/v1/channels", ["kind": "email", "name": "Sales", "settings": ["address": "sales@acme.example"]])
            let channelID = try #require(channel.json["id"]?.stringValue)
            let customer = try await api.createCustomer(["name": "Ana Lima", "identities": ["email:ana@example.com"]])
            let customerID = try #require(customer["id"]?.stringValue)
            let body: JSONValue = [
                "customer_id": .string(customerID), "channel_id": .string(channelID), "summary": "Q4 review", "location": "Room 3",
                "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T10:00:00Z", "time_zone": "Europe/Berlin",
                "recurrence": "FREQ=WEEKLY;COUNT=4", "attendees": [["email": "Bo <bo@example.com>", "required": false]],
            ]
            let created = try await api.post("/v1/meetings", body)
            try #require(created.status == .created, "\(created.text)")
            let meeting = created.json
            let id = try #require(meeting["id"]?.stringValue)
            let uid = try #require(meeting["uid"]?.stringValue)
            #expect(meeting["attendees"]?.arrayValue?.compactMap { $0["address"]?.stringValue } == ["ana@example.com", "bo@example.com"])
            #expect(meeting["organizer"]?["address"]?.stringValue == "sales@acme.example")

            // On the timeline, and an invitation queued that calendar programs act on.
            let interactionID = try #require(meeting["interaction_id"]?.stringValue)
            #expect(try await api.get("/v1/interactions/\(interactionID)").json["kind"]?.stringValue == "meeting")
            let mailID = try #require(meeting["mail_message_id"]?.stringValue)
            let invitation = try await api.get("/v1/mail-messages/\(mailID)/raw")
            let parsed = MailParser().parse(invitation.bytes)
            let calendar = try #require(InboundMail.calendarTexts(of: parsed).first)
            #expect(calendar.contains("METHOD:REQUEST"))
            #expect(calendar.contains("UID:\(uid)"))
            #expect(calendar.contains("DTSTART;TZID=Europe/Berlin:20261210T100000"))
            #expect(parsed.subject == "Invitation: Q4 review")
            #expect(Set(parsed.to.map(\.address)) == ["ana@example.com", "bo@example.com"])

            // Ana accepts by email; an answer to an older version would be ignored.
            let reply = """
                From: Ana Lima <ana@example.com>
                To: sales@acme.example
                Subject: Accepted: Q4 review
                Message-ID: <accept-1@example.com>
                MIME-Version: 1.0
                Content-Type: text/calendar; method=REPLY; charset=utf-8

                BEGIN:VCALENDAR
                METHOD:REPLY
                BEGIN:VEVENT
                UID:\(uid)
                SEQUENCE:0
                ATTENDEE;PARTSTAT=ACCEPTED;CN=Ana Lima:mailto:ana@example.com
                END:VEVENT
                END:VCALENDAR
                """
            let raw = Array(reply.replacingOccurrences(of: "\n", with: "\r\n").utf8)
            let normalizer = try IdentityNormalizer(defaultRegion: "US")
            _ = try await store.write { tx in
                try await store.mail.receive(ReceivedMail(channelID: channelID, raw: raw, message: MailParser().parse(raw), envelopeFrom: "ana@example.com",
                                                          envelopeTo: ["sales@acme.example"], attachmentLimit: 1_000_000, normalizer: normalizer), in: tx)
            }
            let answered = try await api.get("/v1/meetings/\(id)").json
            #expect(answered["attendees"]?.arrayValue?.first?["answer"]?.stringValue == "accepted")
            #expect(answered["attendees"]?.arrayValue?.last?["answer"]?.stringValue == "needs_action")

            // A new time: SEQUENCE 1, everyone asked again, an updated invitation.
            let moved = try await api.patch("/v1/meetings/\(id)", ["start": "2026-12-11T09:00:00Z", "end": "2026-12-11T10:00:00Z"])
            #expect(moved.json["sequence"]?.intValue == 1)
            #expect(moved.json["attendees"]?.arrayValue?.first?["answer"]?.stringValue == "needs_action")
            let updateID = try #require(moved.json["mail_message_id"]?.stringValue)
            #expect(updateID != mailID)
            #expect(MailParser().parse(try await api.get("/v1/mail-messages/\(updateID)/raw").bytes).subject == "Updated invitation: Q4 review")

            let cancelled = try await api.post("/v1/meetings/\(id)/cancel", [:])
            #expect(cancelled.json["status"]?.stringValue == "cancelled")
            #expect(cancelled.json["sequence"]?.intValue == 2)
            let cancelMail = try #require(cancelled.json["mail_message_id"]?.stringValue)
            let cancelText = InboundMail.calendarTexts(of: MailParser().parse(try await api.get("/v1/mail-messages/\(cancelMail)/raw").bytes))
            #expect(cancelText.first?.contains("METHOD:CANCEL") == true)
            #expect(try await api.patch("/v1/meetings/\(id)", ["summary": "x"]).status == .conflict)
            #expect(try await api.get("/v1/customers/\(customerID)/meetings").items.count == 1)

            let events = try await api.events().compactMap { $0["type"]?.stringValue }
            for type in ["rapport.meeting.scheduled", "rapport.meeting.answered", "rapport.meeting.updated", "rapport.meeting.cancelled"] {
                #expect(events.contains(type), "\(type)")
            }
        }
    }

    @Test func badMeetingsAreRefusedNamingTheField() async throws {
        try await withApp(mail: mail) { api, _, _ in
            let bad = try await api.post("/v1/meetings", ["customer_id": "cus_x", "channel_id": "chn_x", "summary": "x", "start": "2026-12-10T10:00:00Z",
                                                          "end": "2026-12-10T09:00:00Z", "time_zone": "Mars/Olympus", "recurrence": "FREQ=SECONDLY",
                                                          "attendees": [["email": "nope"]]])
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.errorFields) == ["end", "time_zone", "recurrence", "attendees[0].email"])
            let missing = try await api.post("/v1/meetings", ["customer_id": "cus_x", "channel_id": "chn_x", "summary": "x",
                                                              "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T10:00:00Z"])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.errorFields == ["customer_id"])
            // An API key has no calendar of its own.
            #expect(try await api.post("/v1/calendar-feeds", [:]).status == .forbidden)
            #expect(try await api.get("/calendar/cal_unknown.ics", auth: .none).status == .notFound)
        }
    }
}
