import Foundation

/// A meeting as Rapport keeps it: the meeting, whom it is with, where its invitations went, and
/// what each attendee answered.
public struct MeetingRecord: Sendable, Equatable {
    public var id: String
    public var customerID: String
    public var channelID: String
    public var meeting: Meeting
    /// The user who scheduled it.
    public var organizerUserID: String?
    /// The timeline's interaction for it, and the last invitation sent.
    public var interactionID: String?
    public var mailID: String?
    public var answeredAt: [String: Timestamp]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, customerID: String, channelID: String, meeting: Meeting, organizerUserID: String?, interactionID: String?,
                mailID: String?, answeredAt: [String: Timestamp] = [:], createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.customerID = customerID
        self.channelID = channelID
        self.meeting = meeting
        self.organizerUserID = organizerUserID
        self.interactionID = interactionID
        self.mailID = mailID
        self.answeredAt = answeredAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["uid"] = .string(meeting.uid)
        object["customer_id"] = .string(customerID)
        object["channel_id"] = .string(channelID)
        object["summary"] = .string(meeting.summary)
        object["description"] = meeting.description.map(JSONValue.string) ?? .null
        object["location"] = meeting.location.map(JSONValue.string) ?? .null
        object["start"] = .string(meeting.start.rfc3339)
        object["end"] = .string(meeting.end.rfc3339)
        object["time_zone"] = .string(meeting.timeZone.identifier)
        object["recurrence"] = meeting.recurrence.map { .string($0.text) } ?? .null
        object["sequence"] = .integer(Int64(meeting.sequence))
        object["status"] = .string(meeting.cancelled ? "cancelled" : "scheduled")
        object["organizer"] = .object(["name": meeting.organizer.name.map(JSONValue.string) ?? .null, "address": .string(meeting.organizer.address)])
        object["organizer_user_id"] = organizerUserID.map(JSONValue.string) ?? .null
        object["attendees"] = .array(meeting.attendees.map { attendee in
            var entry = JSONObject()
            entry["address"] = .string(attendee.address)
            entry["name"] = attendee.name.map(JSONValue.string) ?? .null
            entry["required"] = .bool(attendee.required)
            entry["answer"] = .string(attendee.answer.rawValue.lowercased().replacingOccurrences(of: "-", with: "_"))
            entry["answered_at"] = answeredAt[attendee.address.lowercased()].map { .string($0.rfc3339) } ?? .null
            return .object(entry)
        })
        object["interaction_id"] = interactionID.map(JSONValue.string) ?? .null
        object["mail_message_id"] = mailID.map(JSONValue.string) ?? .null
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }

    /// Reads back what `json` wrote.
    public init?(json value: JSONValue) {
        guard let object = value.objectValue, let id = object["id"]?.stringValue, let uid = object["uid"]?.stringValue,
              let customerID = object["customer_id"]?.stringValue, let channelID = object["channel_id"]?.stringValue,
              let summary = object["summary"]?.stringValue, let start = object["start"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
              let end = object["end"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
              let zone = object["time_zone"]?.stringValue.flatMap(TimeZone.init(identifier:)),
              let organizer = object["organizer"]?.objectValue, let organizerAddress = organizer["address"]?.stringValue,
              let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
              let updatedAt = object["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        var answered: [String: Timestamp] = [:]
        let attendees = (object["attendees"]?.arrayValue ?? []).compactMap { entry -> Meeting.Attendee? in
            guard let item = entry.objectValue, let address = item["address"]?.stringValue else { return nil }
            let answer = item["answer"]?.stringValue.flatMap { Meeting.Attendee.Answer(rawValue: $0.uppercased().replacingOccurrences(of: "_", with: "-")) }
            if let at = item["answered_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) { answered[address.lowercased()] = at }
            return Meeting.Attendee(address: address, name: item["name"]?.stringValue, answer: answer ?? .needsAction,
                                    required: item["required"]?.boolValue ?? true)
        }
        let meeting = Meeting(uid: uid, sequence: Int(object["sequence"]?.intValue ?? 0), summary: summary,
                              description: object["description"]?.stringValue, location: object["location"]?.stringValue, start: start,
                              end: end, timeZone: zone, organizer: MailAddress(name: organizer["name"]?.stringValue, address: organizerAddress),
                              attendees: attendees, recurrence: object["recurrence"]?.stringValue.flatMap { RecurrenceRule($0) },
                              cancelled: object["status"]?.stringValue == "cancelled")
        self.init(id: id, customerID: customerID, channelID: channelID, meeting: meeting, organizerUserID: object["organizer_user_id"]?.stringValue,
                  interactionID: object["interaction_id"]?.stringValue, mailID: object["mail_message_id"]?.stringValue, answeredAt: answered,
                  createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// A meeting to schedule or a change to one, as `POST /v1/meetings` and `PATCH /v1/meetings/{id}` take it.
public struct MeetingDraft: Sendable {
    public var customerID: String?
    public var channelID: String?
    public var summary: String?
    public var description: PatchValue<String>
    public var location: PatchValue<String>
    public var start: Timestamp?
    public var end: Timestamp?
    public var timeZone: TimeZone?
    public var recurrence: PatchValue<RecurrenceRule>
    /// Further people by address (the customer's first address is invited unless `includeCustomer` is false).
    public var attendees: [Meeting.Attendee]
    public var userIDs: [String]
    public var includeCustomer: Bool

    public static func read(_ value: JSONValue, creating: Bool) throws(ValidationFailure) -> MeetingDraft {
        var reader = try InputReader(value)
        let customerID = creating ? reader.string("customer_id", required: true, maxLength: 64) : nil
        let channelID = creating ? reader.string("channel_id", required: true, maxLength: 64) : nil
        let summary = reader.string("summary", required: creating, maxLength: 500)
        let description = reader.patchString("description", maxLength: 20_000)
        let location = reader.patchString("location", maxLength: 500)
        let start = reader.timestamp("start")
        let end = reader.timestamp("end")
        if creating, reader.object["start"] == nil { reader.fail("start", "is required") }
        if creating, reader.object["end"] == nil { reader.fail("end", "is required") }
        var zone: TimeZone?
        if let name = reader.string("time_zone", maxLength: 64) {
            zone = TimeZone(identifier: name)
            if zone == nil { reader.fail("time_zone", "\"\(name.prefix(64))\" is not an IANA time zone such as Europe/Berlin") }
        }
        var recurrence: PatchValue<RecurrenceRule> = .unchanged
        switch reader.patchString("recurrence", maxLength: 300) {
        case .set(let text):
            if let rule = RecurrenceRule(text) { recurrence = .set(rule) } else {
                reader.fail("recurrence", "must be an RRULE such as FREQ=WEEKLY;COUNT=10 (DAILY, WEEKLY, MONTHLY or YEARLY)")
            }
        case .clear: recurrence = .clear
        case .unchanged: break
        }
        if let start, let end, end <= start { reader.fail("end", "must be after start") }
        var attendees: [Meeting.Attendee] = []
        if let raw = reader.value("attendees"), !raw.isNull {
            if case .array(let items) = raw, items.count <= 100 {
                for (index, item) in items.enumerated() {
                    guard let entry = item.objectValue, let text = entry["email"]?.stringValue, let address = EmailReply.address(text) else {
                        reader.absorb(ValidationFailure(field: "attendees[\(index)].email", message: "must be an email address"))
                        continue
                    }
                    attendees.append(Meeting.Attendee(address: address.address.lowercased(), name: entry["name"]?.stringValue ?? address.name,
                                                      required: entry["required"]?.boolValue ?? true))
                }
            } else {
                reader.fail("attendees", "expected an array of at most 100 {email, name, required}")
            }
        }
        let userIDs = reader.stringList("user_ids", maxCount: 50, maxLength: 64) ?? []
        let includeCustomer = reader.bool("include_customer") ?? true
        try reader.finish()
        return MeetingDraft(customerID: customerID, channelID: channelID, summary: summary, description: description, location: location,
                            start: start, end: end, timeZone: zone, recurrence: recurrence, attendees: attendees, userIDs: userIDs,
                            includeCustomer: includeCustomer)
    }
}
