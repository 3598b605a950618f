import Foundation

/// A meeting with a customer and colleagues, as invitations carry it.
public struct Meeting: Sendable, Equatable {
    public struct Attendee: Sendable, Equatable {
        public enum Answer: String, Sendable, CaseIterable {
            case needsAction = "NEEDS-ACTION", accepted = "ACCEPTED", declined = "DECLINED", tentative = "TENTATIVE", delegated = "DELEGATED"
        }

        public var address: String
        public var name: String?
        public var answer: Answer
        /// Optional attendees are `OPT-PARTICIPANT`.
        public var required: Bool

        public init(address: String, name: String? = nil, answer: Answer = .needsAction, required: Bool = true) {
            self.address = address
            self.name = name
            self.answer = answer
            self.required = required
        }
    }

    /// The UID every version of the invitation and every reply carries.
    public var uid: String
    /// Raised on each change that calendar programs must take over the older version (RFC 5546).
    public var sequence: Int
    public var summary: String
    public var description: String?
    public var location: String?
    public var start: Timestamp
    public var end: Timestamp
    /// The zone its times are written in (and its repetitions follow).
    public var timeZone: TimeZone
    public var organizer: MailAddress
    public var attendees: [Attendee]
    public var recurrence: RecurrenceRule?
    public var cancelled: Bool

    public init(uid: String, sequence: Int = 0, summary: String, description: String? = nil, location: String? = nil, start: Timestamp,
                end: Timestamp, timeZone: TimeZone, organizer: MailAddress, attendees: [Attendee], recurrence: RecurrenceRule? = nil,
                cancelled: Bool = false) {
        self.uid = uid
        self.sequence = sequence
        self.summary = summary
        self.description = description
        self.location = location
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.organizer = organizer
        self.attendees = attendees
        self.recurrence = recurrence
        self.cancelled = cancelled
    }
}

/// What an invitation's METHOD asks (RFC 5546).
public enum ICalendarMethod: String, Sendable {
    case request = "REQUEST", reply = "REPLY", cancel = "CANCEL"
    /// A calendar feed's: the meeting as it stands, with the answers given.
    case publish = "PUBLISH"
}

/// Invitations out (`METHOD:REQUEST`, `METHOD:CANCEL`) and answers in (`METHOD:REPLY`).
public enum MeetingInvitation {
    /// The `text/calendar` body of an invitation (or its cancellation) sent at `now`.
    public static func calendar(_ meeting: Meeting, method: ICalendarMethod, now: Timestamp) -> String {
        let zone = meeting.timeZone
        let utc = zone.identifier == "UTC" || zone.identifier == "GMT"
        func time(_ name: String, _ instant: Timestamp) -> ICalendarProperty {
            utc ? ICalendarProperty(name, ICalendarTime.utc(instant))
                : ICalendarProperty(name, ICalendarTime.local(instant, in: zone), parameters: ["TZID": zone.identifier])
        }
        func named(_ name: String?, _ parameters: [String: String] = [:]) -> [String: String] {
            var named = parameters
            if let name, !name.isEmpty { named["CN"] = name.replacingOccurrences(of: "\"", with: "'") }
            return named
        }
        var event = ICalendarComponent("VEVENT", properties: [
            ICalendarProperty("UID", meeting.uid),
            ICalendarProperty("SEQUENCE", String(meeting.sequence)),
            ICalendarProperty("DTSTAMP", ICalendarTime.utc(now)),
            time("DTSTART", meeting.start),
            time("DTEND", meeting.end),
            ICalendarProperty("SUMMARY", ICalendarContent.escape(meeting.summary)),
            ICalendarProperty("ORGANIZER", "mailto:" + meeting.organizer.address,
                              parameters: named(meeting.organizer.name)),
            ICalendarProperty("STATUS", method == .cancel || meeting.cancelled ? "CANCELLED" : "CONFIRMED"),
        ])
        if let description = meeting.description { event.properties.append(ICalendarProperty("DESCRIPTION", ICalendarContent.escape(description))) }
        if let location = meeting.location { event.properties.append(ICalendarProperty("LOCATION", ICalendarContent.escape(location))) }
        if let rule = meeting.recurrence { event.properties.append(ICalendarProperty("RRULE", rule.text)) }
        for attendee in meeting.attendees {
            // A request asks for the answers it does not have; an answer kept across a change that
            // did not move the meeting (a new place, say) is sent as it is, and not asked again.
            let asked = method == .request && attendee.answer == .needsAction
            event.properties.append(ICalendarProperty("ATTENDEE", "mailto:" + attendee.address, parameters: named(attendee.name, [
                "CUTYPE": "INDIVIDUAL", "ROLE": attendee.required ? "REQ-PARTICIPANT" : "OPT-PARTICIPANT",
                "PARTSTAT": attendee.answer.rawValue, "RSVP": asked ? "TRUE" : "FALSE",
            ])))
        }
        var calendar = ICalendarComponent("VCALENDAR", properties: [
            ICalendarProperty("PRODID", "-//Rapport//Rapport CRM//EN"), ICalendarProperty("VERSION", "2.0"),
            ICalendarProperty("CALSCALE", "GREGORIAN"), ICalendarProperty("METHOD", method.rawValue),
        ])
        if !utc { calendar.components.append(ICalendarTime.timeZoneComponent(zone, around: meeting.start)) }
        calendar.components.append(event)
        return calendar.text
    }

    /// An answer to an invitation: who, to which meeting and version, and what they said.
    public struct Reply: Sendable, Equatable {
        public var uid: String
        public var sequence: Int
        public var attendee: String
        public var answer: Meeting.Attendee.Answer
        /// When set, the answer is for this one occurrence of a repeating meeting.
        public var occurrence: Timestamp?
        public var comment: String?
    }

    /// The replies a `METHOD:REPLY` calendar holds (one per attendee and occurrence answered);
    /// empty when it is not a reply.
    public static func replies(in text: String) -> [Reply] {
        guard let calendar = ICalendarContent.parse(text), calendar.property("METHOD")?.value.uppercased() == "REPLY" else { return [] }
        let zones = Dictionary(calendar.components.filter { $0.name == "VTIMEZONE" }.compactMap { component -> (String, TimeZone)? in
            guard let id = component.property("TZID")?.value, let zone = ICalendarTime.zone(named: id) else { return nil }
            return (id, zone)
        }, uniquingKeysWith: { first, _ in first })
        var found: [Reply] = []
        for event in calendar.components where event.name == "VEVENT" {
            guard let uid = event.property("UID")?.value, !uid.isEmpty else { continue }
            let sequence = event.property("SEQUENCE").flatMap { Int($0.value.trimmingCharacters(in: .whitespaces)) } ?? 0
            let occurrence = event.property("RECURRENCE-ID").flatMap { property in
                ICalendarTime.instant(property, fallback: property.parameters["TZID"].flatMap { zones[$0] } ?? TimeZone(identifier: "UTC")!)
            }
            let comment = event.property("COMMENT").map { ICalendarContent.unescape($0.value) }
            for attendee in event.all("ATTENDEE") {
                let address = attendee.value.lowercased().hasPrefix("mailto:") ? String(attendee.value.dropFirst(7)) : attendee.value
                guard let answer = attendee.parameters["PARTSTAT"].flatMap({ Meeting.Attendee.Answer(rawValue: $0.uppercased()) }),
                      !address.isEmpty else { continue }
                found.append(Reply(uid: uid, sequence: sequence, attendee: address.lowercased(), answer: answer, occurrence: occurrence,
                                   comment: comment))
            }
        }
        return found
    }
}
