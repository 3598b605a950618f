import Foundation
import RapportCore
import SQLKit

extension SQLMeetingStore {
    public func schedule(_ draft: MeetingDraft, organizerUserID: String?, hostname: String, actor: Actor,
                         in tx: WriteTransaction) async throws -> MeetingRecord {
        guard let customerID = draft.customerID, let channelID = draft.channelID, let summary = draft.summary,
              let start = draft.start, let end = draft.end else {
            throw StoreError(.invalidReference, "a meeting needs customer_id, channel_id, summary, start and end", field: "body")
        }
        guard let customerRow = try await tx.firstRow("SELECT id, merged_into FROM customers WHERE id = \(bind: customerID)") else {
            throw StoreError(.invalidReference, "customer \(customerID) does not exist", field: "customer_id")
        }
        let customer = try customerRow.optionalString("merged_into") ?? customerID
        let channel = try await emailChannel(channelID, in: tx)
        var attendees: [Meeting.Attendee] = []
        func invite(_ attendee: Meeting.Attendee) {
            if !attendees.contains(where: { $0.address.lowercased() == attendee.address.lowercased() }) { attendees.append(attendee) }
        }
        if draft.includeCustomer {
            guard let row = try await tx.firstRow("""
                SELECT c.name, i.value FROM customers c JOIN identities i ON i.customer_id = c.id AND i.kind = 'email'
                WHERE c.id = \(bind: customer) ORDER BY i.position LIMIT 1
                """) else {
                throw StoreError(.invalidReference, "the customer has no email address to invite; give attendees or include_customer false",
                                 field: "customer_id")
            }
            invite(Meeting.Attendee(address: try row.string("value"), name: try row.optionalString("name")))
        }
        var organizerName: String?
        for userID in draft.userIDs + [organizerUserID].compactMap({ $0 }) {
            guard let row = try await tx.firstRow("SELECT email, name FROM users WHERE id = \(bind: userID)") else {
                if draft.userIDs.contains(userID) { throw StoreError(.invalidReference, "user \(userID) does not exist", field: "user_ids") }
                continue
            }
            if userID == organizerUserID { organizerName = try row.string("name") }
            if draft.userIDs.contains(userID) { invite(Meeting.Attendee(address: try row.string("email"), name: try row.string("name"))) }
        }
        draft.attendees.forEach(invite)
        guard !attendees.isEmpty else { throw StoreError(.invalidReference, "a meeting needs someone to invite", field: "attendees") }
        let now = tx.now()
        let id = tx.newID("mtg")
        let meeting = Meeting(uid: "\(id)@\(hostname)", sequence: 0, summary: summary, description: draft.description.applied(to: nil),
                              location: draft.location.applied(to: nil), start: start, end: end,
                              timeZone: draft.timeZone ?? TimeZone(identifier: "UTC")!,
                              organizer: MailAddress(name: organizerName.map { "\($0) (\(channel.name))" } ?? channel.name, address: channel.address),
                              attendees: attendees, recurrence: draft.recurrence.applied(to: nil))
        var record = MeetingRecord(id: id, customerID: customer, channelID: channel.id, meeting: meeting, organizerUserID: organizerUserID,
                                   interactionID: nil, mailID: nil, createdAt: now, updatedAt: now)
        var metadata = JSONObject()
        metadata["meeting_id"] = .string(id)
        metadata["thread_id"] = .string("meeting:\(meeting.uid)")
        metadata["start"] = .string(start.rfc3339)
        metadata["end"] = .string(end.rfc3339)
        metadata["time_zone"] = .string(meeting.timeZone.identifier)
        metadata["location"] = meeting.location.map(JSONValue.string) ?? .null
        metadata["attendees"] = .array(attendees.map { .string($0.address) })
        let interaction = NewInteraction(channelID: channel.id, party: .customer(customer), direction: .outbound, kind: .meeting,
                                         subject: summary, body: meeting.description, metadata: metadata, occurredAt: now,
                                         externalID: "meeting:\(meeting.uid)")
        record.interactionID = try await store.interactions.ingestInteraction(interaction, actor: actor, in: tx).interaction.id
        record.mailID = try await send(record, method: .request, channel: channel, hostname: hostname, actor: actor, in: tx)
        try await save(record, inserting: true, change: "scheduled", actor: actor, in: tx)
        return record
    }

    public func reschedule(_ id: String, changes: MeetingDraft, hostname: String, actor: Actor, in tx: WriteTransaction) async throws -> MeetingRecord {
        var record = try await stored(id, in: tx)
        guard !record.meeting.cancelled else { throw StoreError(.conflict, "meeting \(id) was cancelled") }
        var meeting = record.meeting
        if let summary = changes.summary { meeting.summary = summary }
        meeting.description = changes.description.applied(to: meeting.description)
        meeting.location = changes.location.applied(to: meeting.location)
        if let start = changes.start { meeting.start = start }
        if let end = changes.end { meeting.end = end }
        if let zone = changes.timeZone { meeting.timeZone = zone }
        meeting.recurrence = changes.recurrence.applied(to: meeting.recurrence)
        guard meeting.end > meeting.start else { throw StoreError(.invalidReference, "end must be after start", field: "end") }
        for attendee in changes.attendees where !meeting.attendees.contains(where: { $0.address.lowercased() == attendee.address.lowercased() }) {
            meeting.attendees.append(attendee)
        }
        guard meeting != record.meeting else { return record }
        let moved = meeting.start != record.meeting.start || meeting.end != record.meeting.end || meeting.timeZone != record.meeting.timeZone
            || meeting.recurrence != record.meeting.recurrence
        meeting.sequence += 1
        // A new time asks everyone again.
        if moved {
            for index in meeting.attendees.indices { meeting.attendees[index].answer = .needsAction }
            record.answeredAt = [:]
        }
        record.meeting = meeting
        record.updatedAt = tx.now()
        let channel = try await emailChannel(record.channelID, in: tx)
        record.mailID = try await send(record, method: .request, channel: channel, hostname: hostname, actor: actor, in: tx)
        try await save(record, inserting: false, change: "updated", actor: actor, in: tx)
        return record
    }

    public func cancel(_ id: String, hostname: String, actor: Actor, in tx: WriteTransaction) async throws -> MeetingRecord {
        var record = try await stored(id, in: tx)
        guard !record.meeting.cancelled else { return record }
        record.meeting.cancelled = true
        record.meeting.sequence += 1
        record.updatedAt = tx.now()
        let channel = try await emailChannel(record.channelID, in: tx)
        record.mailID = try await send(record, method: .cancel, channel: channel, hostname: hostname, actor: actor, in: tx)
        try await save(record, inserting: false, change: "cancelled", actor: actor, in: tx)
        return record
    }

    public func applyReplies(_ replies: [MeetingInvitation.Reply], in tx: WriteTransaction) async throws {
        for reply in replies {
            let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
            guard let row = try await tx.firstRow("SELECT record FROM meetings WHERE uid = \(bind: reply.uid)" + lock),
                  var record = MeetingRecord(json: try JSONParser.parse(try row.string("record"))),
                  reply.sequence >= record.meeting.sequence,
                  let index = record.meeting.attendees.firstIndex(where: { $0.address.lowercased() == reply.attendee }) else { continue }
            // An answer for one occurrence of a repeating meeting is kept on the timeline, not as the answer to them all.
            if reply.occurrence == nil {
                record.meeting.attendees[index].answer = reply.answer
                record.answeredAt[reply.attendee] = tx.now()
                record.updatedAt = tx.now()
                try await save(record, inserting: false, change: nil, actor: .system, in: tx)
            }
            var answer = JSONObject()
            answer["meeting_id"] = .string(record.id)
            answer["attendee"] = .string(reply.attendee)
            answer["answer"] = .string(reply.answer.rawValue.lowercased().replacingOccurrences(of: "-", with: "_"))
            answer["occurrence"] = reply.occurrence.map { .string($0.rfc3339) } ?? .null
            answer["comment"] = reply.comment.map(JSONValue.string) ?? .null
            tx.append(.change("meeting", "answered", subject: record.customerID, record: .object(answer), changedFields: ["attendees"],
                              actor: Actor(kind: .system, id: "mail"), channelID: record.channelID))
        }
    }

    /// The channel invitations go out from: an email channel with an address.
    private func emailChannel(_ id: String, in tx: WriteTransaction) async throws -> (id: String, name: String, address: String) {
        guard let channel = try await ChannelRows.find(id: id, on: tx.database), channel.kind == .email,
              let address = channel.settings["address"]?.stringValue, !address.isEmpty else {
            throw StoreError(.invalidReference, "channel \(id) is not an email channel with an address (settings.address)", field: "channel_id")
        }
        return (channel.id, channel.name, address)
    }

    /// Queues the invitation (or cancellation) for every attendee; the id of its mail.
    private func send(_ record: MeetingRecord, method: ICalendarMethod, channel: (id: String, name: String, address: String), hostname: String,
                      actor: Actor, in tx: WriteTransaction) async throws -> String {
        let mailID = tx.newID("mail")
        let mail = MeetingMail.message(record, method: method, messageID: "\(mailID)@\(hostname)", now: tx.now())
        let raw = MailComposer.render(mail)
        let summaries = mail.attachments.map { attachment in
            InboundMail.AttachmentSummary(id: tx.newID("att"), filename: attachment.filename, contentType: attachment.contentType,
                                          size: attachment.size, stored: true)
        }
        _ = try await store.mailOutbox.enqueue(mail, raw: raw, written: MailParser().parse(raw), mailID: mailID, channelID: channel.id,
                                               channelAddress: channel.address, customerID: record.customerID, interactionID: nil,
                                               conversationID: nil, threadKey: "meeting:\(record.meeting.uid)", summaries: summaries,
                                               actor: actor, in: tx)
        return mailID
    }

    private func stored(_ id: String, in tx: WriteTransaction) async throws -> MeetingRecord {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.firstRow("SELECT record FROM meetings WHERE id = \(bind: id)" + lock),
              let record = MeetingRecord(json: try JSONParser.parse(try row.string("record"))) else {
            throw StoreError.notFound("meeting", id)
        }
        return record
    }

    private func save(_ record: MeetingRecord, inserting: Bool, change: String?, actor: Actor, in tx: WriteTransaction) async throws {
        let json = record.json
        if inserting {
            try await tx.execute("""
                INSERT INTO meetings (id, uid, customer_id, channel_id, organizer_user_id, record, start_at, updated_at)
                VALUES (\(bind: record.id), \(bind: record.meeting.uid), \(bind: record.customerID), \(bind: record.channelID),
                        \(bind: record.organizerUserID), \(bind: json.jsonString), \(bind: record.meeting.start.microseconds),
                        \(bind: record.updatedAt.microseconds))
                """)
        } else {
            try await tx.execute("""
                UPDATE meetings SET record = \(bind: json.jsonString), start_at = \(bind: record.meeting.start.microseconds),
                    updated_at = \(bind: record.updatedAt.microseconds)
                WHERE id = \(bind: record.id)
                """)
        }
        // Who is invited, by address: what a user's calendar feed looks up.
        try await tx.execute("DELETE FROM meeting_attendees WHERE meeting_id = \(bind: record.id)")
        for address in Set(record.meeting.attendees.map { $0.address.lowercased() }).sorted() {
            try await tx.execute("INSERT INTO meeting_attendees (meeting_id, address) VALUES (\(bind: record.id), \(bind: address))")
        }
        if let change {
            tx.append(.change("meeting", change, subject: record.customerID, record: json, changedFields: [], actor: actor,
                              channelID: record.channelID))
        }
    }
}

extension SQLMeetingStore {
    public func meeting(_ id: String) async throws -> MeetingRecord? {
        try await read { database in
            try await database.raw("SELECT record, customer_id FROM meetings WHERE id = \(bind: id)").first().flatMap(Self.decode)
        }
    }

    public func meetings(ofCustomer customerID: String, limit: Int) async throws -> [MeetingRecord] {
        try await read { database in
            try await database.raw("""
                SELECT record, customer_id FROM meetings WHERE customer_id = \(bind: customerID) ORDER BY start_at DESC LIMIT \(bind: limit)
                """).all().compactMap(Self.decode)
        }
    }

    public func createCalendarFeed(for userID: String, in tx: WriteTransaction) async throws -> String {
        let token = APIKeySecret.generate(prefix: "cal_")
        try await tx.execute("""
            INSERT INTO calendar_feeds (token_hash, user_id, created_at) VALUES (\(bind: APIKeySecret.hash(token)), \(bind: userID),
                \(bind: tx.now().microseconds))
            """)
        return token
    }

    public func calendarFeed(token: String, limit: Int) async throws -> [MeetingRecord]? {
        try await read { database in
            guard let user = try await database.raw("""
                SELECT u.id, u.email FROM calendar_feeds f JOIN users u ON u.id = f.user_id
                WHERE f.token_hash = \(bind: APIKeySecret.hash(token)) AND u.active = 1
                """).first() else { return nil }
            let userID = try user.string("id")
            let email = try user.string("email").lowercased()
            // The user's meetings: organised by them, or with them among the attendees.
            let rows = try await database.raw("""
                SELECT record, customer_id FROM meetings WHERE organizer_user_id = \(bind: userID)
                    OR id IN (SELECT meeting_id FROM meeting_attendees WHERE address = \(bind: email))
                ORDER BY start_at DESC LIMIT \(bind: limit)
                """).all()
            return rows.compactMap(Self.decode)
        }
    }

    /// A stored meeting; the customer column wins (a merge moves it).
    static func decode(_ row: any SQLRow) -> MeetingRecord? {
        guard let text = try? row.string("record"), let json = try? JSONParser.parse(text), var record = MeetingRecord(json: json) else { return nil }
        if let customer = try? row.string("customer_id") { record.customerID = customer }
        return record
    }
}
