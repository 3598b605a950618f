import Foundation
import RapportCore
import SQLKit

extension SQLNotificationStore {
    static let digestSettingsKey = "notification_digest"

    public func digestSettings() async throws -> DigestSettings {
        try await read { database in
            guard let document = try await SettingsRows.document(Self.digestSettingsKey, on: database) else { return DigestSettings() }
            return (try? DigestSettings.read(document)) ?? DigestSettings()
        }
    }

    public func setDigestSettings(_ settings: DigestSettings, actor: Actor, in tx: WriteTransaction) async throws {
        if let id = settings.channelID { _ = try await Self.sendingChannel(id, in: tx) }
        try await store.settings.replaceSetting(Self.digestSettingsKey, with: settings.json, actor: actor, in: tx)
    }

    public func queueDueDigests(at now: Timestamp, hostname: String, limit: Int, in tx: WriteTransaction) async throws -> Int {
        guard let document = try await SettingsRows.document(Self.digestSettingsKey, on: tx.database),
              let settings = try? DigestSettings.read(document), let channelID = settings.channelID,
              let channel = try? await Self.sendingChannel(channelID, in: tx) else { return 0 }
        let due = try await tx.rows("""
            SELECT p.user_id, p.digest, d.covered_until, u.name, u.email, u.department_id FROM notification_preferences p
            JOIN users u ON u.id = p.user_id JOIN notification_digests d ON d.user_id = p.user_id
            WHERE p.digest IS NOT NULL AND u.active = 1 AND d.covered_until < \(bind: now.microseconds) ORDER BY d.covered_until, p.user_id
            """)
        var zones: [String: TimeZone] = [:]
        var sent = 0
        for row in due where sent < limit {
            let schedule = DigestSchedule.stored(try row.optionalString("digest"))
            let userID = try row.string("user_id")
            let covered = try row.timestamp("covered_until")
            let department = try row.optionalString("department_id")
            let zone: TimeZone
            if let department, let known = zones[department] { zone = known } else {
                zone = try await departmentZone(department, in: tx)
                if let department { zones[department] = zone }
            }
            guard let dueAt = schedule.nextDue(after: covered, in: zone), dueAt <= now else { continue }
            let window: SQLQueryString = """
                user_id = \(bind: userID) AND read_at IS NULL AND created_at > \(bind: covered.microseconds) AND created_at <= \(bind: now.microseconds)
                """
            let unread = Int(try await tx.firstRow("SELECT COUNT(*) AS n FROM notifications WHERE \(window)")?.int64("n") ?? 0)
            var mailID: String?
            if unread > 0 {
                let notifications = try await tx.rows("""
                    SELECT id, customer_id, record, read_at FROM notifications WHERE \(window) ORDER BY id DESC LIMIT \(bind: NotificationDigest.maxLines)
                    """).compactMap(Self.decode)
                let lines = try await digestLines(notifications, in: tx)
                let id = tx.newID("mail")
                let mail = NotificationDigest.mail(to: MailAddress(name: try row.string("name"), address: try row.string("email")), lines: lines,
                                                   unread: unread, from: MailAddress(name: channel.name, address: channel.address),
                                                   consoleURL: settings.consoleURL, messageID: "\(id)@\(hostname)", date: now)
                let raw = MailComposer.render(mail)
                _ = try await store.mailOutbox.enqueue(mail, raw: raw, written: MailParser().parse(raw), mailID: id, channelID: channel.id,
                                                       channelAddress: channel.address, customerID: nil, interactionID: nil, conversationID: nil,
                                                       threadKey: "digest:\(userID)", summaries: [], actor: .system, keepingText: false, in: tx)
                mailID = id
                sent += 1
            }
            try await tx.execute("""
                UPDATE notification_digests SET covered_until = \(bind: now.microseconds), last_mail_id = COALESCE(\(bind: mailID), last_mail_id),
                    updated_at = \(bind: now.microseconds)
                WHERE user_id = \(bind: userID)
                """)
        }
        return sent
    }

    /// The customers' names, and which notes are a department's private ones (never quoted).
    private func digestLines(_ notifications: [UserNotification], in tx: WriteTransaction) async throws -> [NotificationDigest.Line] {
        let customerIDs = Array(Set(notifications.compactMap(\.customerID)))
        var names: [String: String] = [:]
        if !customerIDs.isEmpty {
            for row in try await tx.rows("SELECT id, name FROM customers WHERE id IN (\(binds: customerIDs))") {
                names[try row.string("id")] = try row.string("name")
            }
        }
        let noteIDs = Array(Set(notifications.compactMap(\.noteID)))
        var open = Set<String>()
        if !noteIDs.isEmpty {
            for row in try await tx.rows("SELECT id FROM notes WHERE id IN (\(binds: noteIDs)) AND visibility = 'everyone'") {
                open.insert(try row.string("id"))
            }
        }
        return notifications.map { notification in
            NotificationDigest.Line(notification: notification, customerName: notification.customerID.flatMap { names[$0] },
                                    mayQuote: notification.noteID.map(open.contains) ?? true)
        }
    }

    private func departmentZone(_ departmentID: String?, in tx: WriteTransaction) async throws -> TimeZone {
        guard let departmentID, let hours = try await SQLHandoffStore.businessHours(of: departmentID, on: tx.database) else {
            return TimeZone(identifier: "UTC")!
        }
        return hours.timeZone
    }

    /// The email channel digests go out from: it must have an address.
    static func sendingChannel(_ id: String, in tx: WriteTransaction) async throws -> (id: String, name: String, address: String) {
        guard let channel = try await ChannelRows.find(id: id, on: tx.database) else {
            throw StoreError(.invalidReference, "channel \(id) does not exist", field: "channel_id")
        }
        guard channel.kind == .email,
              let address = channel.settings["address"]?.stringValue.map({ $0.trimmingSpace() }), !address.isEmpty else {
            throw StoreError(.invalidReference, "channel \(id) is not an email channel with an address (settings.address)", field: "channel_id")
        }
        return (channel.id, channel.name, address)
    }
}
