import Foundation
import RapportCore
import Testing

@Suite("Meetings: iCalendar invitations, replies and repetitions") struct ICalendarTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    let newYork = TimeZone(identifier: "America/New_York")!

    var meeting: Meeting {
        Meeting(uid: "mtg_1@rapport.test", sequence: 2, summary: "季度回顾; Q4 review, with Ana",
                description: "Agenda:\n1. Orders\n2. 发票", location: "Room 3, Berlin",
                start: ICalendarTime.instant("20261210T100000", in: berlin)!, end: ICalendarTime.instant("20261210T110000", in: berlin)!,
                timeZone: berlin, organizer: MailAddress(name: "Acme Sales", address: "sales@acme.example"),
                attendees: [Meeting.Attendee(address: "ana@example.com", name: "Ana Lima"),
                            Meeting.Attendee(address: "fin@acme.example", name: "Finance", required: false)],
                recurrence: RecurrenceRule(frequency: .weekly, count: 4))
    }

    @Test func anInvitationIsWrittenAndReadBack() throws {
        let text = MeetingInvitation.calendar(meeting, method: .request, now: Timestamp(rfc3339: "2026-12-03T12:00:00Z")!)
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75, "\(line)") }
        let calendar = try #require(ICalendarContent.parse(text))
        #expect(calendar.property("METHOD")?.value == "REQUEST")
        let event = try #require(calendar.component("VEVENT"))
        #expect(event.property("UID")?.value == "mtg_1@rapport.test")
        #expect(event.property("SEQUENCE")?.value == "2")
        #expect(event.property("DTSTART") == ICalendarProperty("DTSTART", "20261210T100000", parameters: ["TZID": "Europe/Berlin"]))
        #expect(ICalendarTime.instant(try #require(event.property("DTSTART"))) == Timestamp(rfc3339: "2026-12-10T09:00:00Z"))
        #expect(ICalendarContent.unescape(try #require(event.property("SUMMARY")).value) == "季度回顾; Q4 review, with Ana")
        #expect(ICalendarContent.unescape(try #require(event.property("DESCRIPTION")).value) == "Agenda:\n1. Orders\n2. 发票")
        #expect(event.property("RRULE")?.value == "FREQ=WEEKLY;COUNT=4")
        let attendees = event.all("ATTENDEE")
        #expect(attendees.map(\.value) == ["mailto:ana@example.com", "mailto:fin@acme.example"])
        #expect(attendees.first?.parameters["PARTSTAT"] == "NEEDS-ACTION")
        #expect(attendees.first?.parameters["RSVP"] == "TRUE")
        #expect(attendees.last?.parameters["ROLE"] == "OPT-PARTICIPANT")
        // After a change that kept the answers (a new place), the request says them and asks only the others.
        var answered = meeting
        answered.attendees[0].answer = .accepted
        let again = try #require(ICalendarContent.parse(MeetingInvitation.calendar(answered, method: .request, now: .now()))?.component("VEVENT"))
        #expect(again.all("ATTENDEE").map { [$0.parameters["PARTSTAT"], $0.parameters["RSVP"]] } == [["ACCEPTED", "FALSE"], ["NEEDS-ACTION", "TRUE"]])
        // Berlin's zone with its winter and summer offsets, for programs without the zone database.
        let zone = try #require(calendar.component("VTIMEZONE"))
        #expect(zone.property("TZID")?.value == "Europe/Berlin")
        #expect(zone.components.contains { $0.name == "DAYLIGHT" && $0.property("TZOFFSETTO")?.value == "+0200" })
        #expect(zone.components.contains { $0.name == "STANDARD" && $0.property("TZOFFSETTO")?.value == "+0100" })
        // Rules, not a list of dates: right in every year a repeating meeting reaches.
        #expect(zone.components.first { $0.name == "DAYLIGHT" }?.property("RRULE")?.value == "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
        #expect(zone.components.first { $0.name == "STANDARD" }?.property("RRULE")?.value == "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
        #expect(zone.components.first { $0.name == "DAYLIGHT" }?.property("DTSTART")?.value == "19700329T020000")

        let cancel = MeetingInvitation.calendar(meeting, method: .cancel, now: .now())
        #expect(ICalendarContent.parse(cancel)?.component("VEVENT")?.property("STATUS")?.value == "CANCELLED")
    }

    @Test func repliesAreReadAsCalendarProgramsWriteThem() {
        // Folded lines, a quoted CN with a comma, lower-case mailto, a bare LF, an exception.
        let reply = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
            + "BEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=\"Lima, Ana\":mailto:Ana@Example.com\r\n"
            + "UID:mtg_1@rapport.test\r\nSEQUENCE:2\r\nCOMMENT:See you\\, then\r\n DAS\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nATTENDEE;PARTSTAT=DECLINED:MAILTO:ana@example.com\r\nUID:mtg_1@rapport.test\r\n"
            + "RECURRENCE-ID;TZID=Europe/Berlin:20261217T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let replies = MeetingInvitation.replies(in: reply)
        #expect(replies.count == 2)
        #expect(replies.first?.attendee == "ana@example.com")
        #expect(replies.first?.answer == .accepted)
        #expect(replies.first?.sequence == 2)
        #expect(replies.first?.comment == "See you, thenDAS")
        #expect(replies.last?.answer == .declined)
        #expect(replies.last?.occurrence == Timestamp(rfc3339: "2026-12-17T09:00:00Z"))
        #expect(MeetingInvitation.replies(in: MeetingInvitation.calendar(meeting, method: .request, now: .now())).isEmpty)
        #expect(MeetingInvitation.replies(in: "garbage").isEmpty)
    }

    @Test func repetitionsKeepTheirLocalTimeAcrossDaylightSaving() throws {
        // Weekly at 10:00 in New York from late October: 14:00 UTC before November 1, 15:00 after.
        let start = ICalendarTime.instant("20261026T100000", in: newYork)!
        let weekly = try #require(RecurrenceRule("FREQ=WEEKLY;COUNT=3"))
        let times = weekly.occurrences(from: start, in: newYork, through: Timestamp(rfc3339: "2027-12-31T00:00:00Z")!)
        #expect(times.map(\.rfc3339) == ["2026-10-26T14:00:00.000Z", "2026-11-02T15:00:00.000Z", "2026-11-09T15:00:00.000Z"])

        let lastFriday = try #require(RecurrenceRule("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270301T000000Z"))
        let fridays = lastFriday.occurrences(from: ICalendarTime.instant("20261127T090000", in: berlin)!, in: berlin,
                                             through: Timestamp(rfc3339: "2030-01-01T00:00:00Z")!)
        #expect(fridays.map { ICalendarTime.local($0, in: berlin) } == ["20261127T090000", "20261225T090000", "20270129T090000", "20270226T090000"])

        let twiceWeekly = try #require(RecurrenceRule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=5"))
        let days = twiceWeekly.occurrences(from: ICalendarTime.instant("20261202T080000", in: berlin)!, in: berlin,
                                           through: Timestamp(rfc3339: "2030-01-01T00:00:00Z")!)
        #expect(days.map { ICalendarTime.local($0, in: berlin).prefix(8) } == ["20261202", "20261214", "20261216", "20261228", "20261230"])

        let monthEnd = try #require(RecurrenceRule("FREQ=MONTHLY;COUNT=3"))
        let ends = monthEnd.occurrences(from: ICalendarTime.instant("20270131T100000", in: berlin)!, in: berlin,
                                        through: Timestamp(rfc3339: "2030-01-01T00:00:00Z")!)
        #expect(ends.map { ICalendarTime.local($0, in: berlin).prefix(8) } == ["20270131", "20270331", "20270531"])
        #expect(RecurrenceRule("FREQ=HOURLY") == nil)
        #expect(RecurrenceRule("FREQ=DAILY;COUNT=0") == nil)
        #expect(RecurrenceRule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=5")?.text == "FREQ=WEEKLY;INTERVAL=2;COUNT=5;BYDAY=MO,WE")
    }
}
