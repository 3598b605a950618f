import Foundation

/// The email that carries an invitation, its update or its cancellation: a readable summary as
/// text and HTML, the `text/calendar` part calendar programs act on, and `invite.ics`.
public enum MeetingMail {
    public static func message(_ record: MeetingRecord, method: ICalendarMethod, messageID: String, now: Timestamp) -> OutgoingMail {
        let meeting = record.meeting
        let organizer = meeting.organizer.address.lowercased()
        let to = meeting.attendees.filter { $0.address.lowercased() != organizer }.map { MailAddress(name: $0.name, address: $0.address) }
        let subject: String
        switch method {
        case .cancel: subject = "Cancelled: \(meeting.summary)"
        case .request: subject = meeting.sequence > 0 ? "Updated invitation: \(meeting.summary)" : "Invitation: \(meeting.summary)"
        case .reply, .publish: subject = meeting.summary
        }
        var lines = [meeting.summary, "", "When: \(when(meeting))"]
        if let rule = meeting.recurrence { lines.append("Repeats: \(rule.text)") }
        if let location = meeting.location { lines.append("Where: \(location)") }
        lines.append("Organizer: " + (meeting.organizer.name.map { "\($0) <\(meeting.organizer.address)>" } ?? meeting.organizer.address))
        lines.append("Attendees: " + meeting.attendees.map { attendee in
            attendee.name.map { "\($0) <\(attendee.address)>" } ?? attendee.address
        }.joined(separator: ", "))
        if method == .cancel { lines += ["", "This meeting has been cancelled."] }
        if let description = meeting.description { lines += ["", description] }
        let text = lines.joined(separator: "\n")
        let calendar = MeetingInvitation.calendar(meeting, method: method, now: now)
        let ics = MailAttachment(filename: "invite.ics", contentType: "application/ics", contentID: nil, isInline: false,
                                 content: Array(calendar.utf8))
        return OutgoingMail(from: meeting.organizer, to: to, subject: subject, text: text + "\n", html: EmailReply.html(text, quoted: nil),
                            messageID: messageID, date: now, attachments: [ics], calendar: (method.rawValue, calendar))
    }

    /// `Thu, 10 Dec 2026 10:00–11:00 (Europe/Berlin)`.
    static func when(_ meeting: Meeting) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = meeting.timeZone
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm"
        let end = DateFormatter()
        end.locale = formatter.locale
        end.timeZone = meeting.timeZone
        end.dateFormat = "HH:mm"
        return "\(formatter.string(from: meeting.start.date))–\(end.string(from: meeting.end.date)) (\(meeting.timeZone.identifier))"
    }
}
