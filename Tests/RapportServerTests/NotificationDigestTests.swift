import Foundation
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// Email digests of the unread notifications, queued by the deadline watcher on the store's clock.
@Suite("Notification digests")
struct NotificationDigestTests {
    @Test("a daily digest goes out at its hour in the department's time zone with what is unread since the last, quoting no private note",
          arguments: Backend.available)
    func dailyDigest(backend: Backend) async throws {
        // 08:30 in Shanghai (00:30 UTC) on Friday.
        let time = TestTime(Timestamp(rfc3339: "2026-12-04T00:30:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let sales = try #require(try await store.organization.department("sales"))
            let service = try #require(try await store.organization.department("service"))
            let shanghai = try BusinessHours.read(["time_zone": "Asia/Shanghai", "days": ["mon": ["09:00-18:00"]]], path: "")
            let (li, ana, customer) = try await store.write { tx in
                try await store.handoffs.setBusinessHours(shanghai, of: sales.id, actor: .system, in: tx)
                let channel = try await store.organization.insertChannel(kind: .email, name: "Rapport at Acme",
                                                                          settings: ["address": "rapport@acme.example"], actor: .system, in: tx)
                try await store.notifications.setDigestSettings(DigestSettings(channelID: channel.id, consoleURL: "https://crm.acme.example/console"),
                                                                actor: .system, in: tx)
                let li = try await store.organization.insertUser(
                    UserChanges(email: "li@acme.example", name: "Li Wei", role: .agent, departmentID: .set(sales.id), active: true), actor: .system, in: tx)
                let ana = try await store.organization.insertUser(
                    UserChanges(email: "ana@acme.example", name: "Ana Lima", role: .agent, departmentID: .set(sales.id), active: true), actor: .system, in: tx)
                let customer = try await store.customers.createCustomer(NewCustomer(name: "Mia <b>Chen</b>"), actor: .system, channelID: nil, in: tx)
                try await store.notifications.setPreferences(NotificationPreferences(digest: DigestSchedule(frequency: .daily, hour: 9)), of: li.id, in: tx)
                return (li, ana, customer)
            }
            let author = Colleague(actor: Actor(kind: .user, id: ana.id), departmentID: sales.id, moderates: false)
            time.advance(by: .seconds(1))
            try await store.write { tx in
                _ = try await store.notes.createNote(NoteDraft(customerID: customer.id, conversationID: nil, body: "Please call back @[Li Wei](user:\(li.id))"),
                                                     author: author, in: tx)
                _ = try await store.notes.createNote(NoteDraft(customerID: customer.id, conversationID: nil, body: "Chargeback fraud @[Li Wei](user:\(li.id))",
                                                               visibility: .department), author: author, in: tx)
                try await store.notifications.notify([li.id], kind: .handoff, about: NotificationSubject(customerID: customer.id, text: "More seats"),
                                                     actor: nil, via: nil, in: tx)
            }
            let watcher = DeadlineWatcher(store: store, logger: TestDatabases.logger, mailHostname: "rapport.acme.example")
            func queued() async throws -> [QueuedMail] {
                try await store.write { tx in
                    try await store.mailOutbox.leaseDueMail(owner: "test", until: tx.now().adding(.seconds(60)), limit: 10, in: tx)
                }
            }
            #expect(try await watcher.look() == 0, "not 09:00 in Shanghai yet")
            time.advance(by: .seconds(30 * 60))
            #expect(try await watcher.look() == 1)
            let mails = try await queued()
            let mail = try #require(mails.first)
            #expect(mails.count == 1)
            #expect(mail.recipients == ["li@acme.example"])
            #expect(mail.envelopeFrom == "rapport@acme.example")
            let message = MailParser().parse(mail.raw)
            #expect(message.subject == "Rapport: 3 unread notifications")
            #expect(message.text.contains("Ana Lima mentioned you on Mia <b>Chen</b>: “Please call back @Li Wei”"), "\(message.text)")
            #expect(message.text.contains("https://crm.acme.example/console/#/customers/\(customer.id)?note="))
            #expect(message.text.contains("sent a handoff on Mia <b>Chen</b>: “More seats”"), "\(message.text)")
            #expect(!message.text.contains("Chargeback"), "a private note is not quoted in mail")
            #expect(message.html?.contains("Mia &lt;b&gt;Chen&lt;/b&gt;") == true, "customer text is escaped in the HTML")
            #expect(message.html?.contains("<b>Chen</b>") == false)

            // The same hour again finds nothing new; read notifications are left out of the next.
            #expect(try await watcher.look() == 0)
            time.advance(by: .seconds(1))
            try await store.write { tx in
                _ = try await store.notes.createNote(NoteDraft(customerID: customer.id, conversationID: nil, body: "Seen already @[Li Wei](user:\(li.id))"),
                                                     author: author, in: tx)
                _ = try await store.notes.createNote(NoteDraft(customerID: customer.id, conversationID: nil, body: "Renewal next week @[Li Wei](user:\(li.id))"),
                                                     author: author, in: tx)
            }
            let seen = try #require(try await store.notifications.notifications(of: li.id, unreadOnly: true, limit: 10, cursor: nil).items
                .first { $0.excerpt.contains("Seen already") })
            _ = try await store.write { tx in try await store.notifications.markRead(seen.id, userID: li.id, in: tx) }
            time.advance(by: .seconds(12 * 3600))
            #expect(try await watcher.look() == 0, "the next is due at 09:00 tomorrow")
            time.advance(by: .seconds(12 * 3600))
            #expect(try await watcher.look() == 1)
            let next = MailParser().parse(try #require(try await queued().first { $0.mailID != mail.mailID }).raw)
            #expect(next.subject == "Rapport: 1 unread notification")
            #expect(next.text.contains("Renewal next week"))
            #expect(!next.text.contains("Seen already") && !next.text.contains("Please call back"))

            // Off: nothing more, whatever arrives.
            try await store.write { tx in
                try await store.notifications.setPreferences(NotificationPreferences(), of: li.id, in: tx)
                _ = try await store.notes.createNote(NoteDraft(customerID: customer.id, conversationID: nil, body: "One more @[Li Wei](user:\(li.id))"),
                                                     author: author, in: tx)
            }
            time.advance(by: .seconds(24 * 3600))
            #expect(try await watcher.look() == 0)
            _ = service
        }
    }

    @Test("digest settings and a user's schedule over HTTP, with bad input named", arguments: Backend.available)
    func settingsOverHTTP(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let li = try await NotesTests.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let web = try await api.createChannel(kind: "web", name: "site")
            let mail = try await api.post("/v1/channels", ["kind": "email", "name": "Rapport", "settings": ["address": "rapport@acme.example"]])
            let mailID = try #require(mail.json["id"]?.stringValue, "\(mail.text)")
            #expect(try await api.get("/v1/settings/notification-digest").json == ["channel_id": .null, "console_url": .null])
            expectProblem(try await api.request(.put, "/v1/settings/notification-digest", json: ["channel_id": .string(web), "console_url": .null]),
                          .unprocessableContent, field: "channel_id")
            expectProblem(try await api.request(.put, "/v1/settings/notification-digest", json: ["channel_id": "chn_missing", "console_url": .null]),
                          .unprocessableContent, field: "channel_id")
            for bad in ["javascript:alert(1)", "http://[::1]/x", "https://\u{1F3FB}x", "https://crm.example.com:123456", "https://crm example.com"] {
                expectProblem(try await api.request(.put, "/v1/settings/notification-digest", json: ["channel_id": .null, "console_url": .string(bad)]),
                              .unprocessableContent, field: "console_url")
            }
            expectProblem(try await api.request(.put, "/v1/settings/notification-digest", json: ["console_url": .null]),
                          .unprocessableContent, field: "channel_id")
            expectProblem(try await api.request(.put, "/v1/settings/notification-digest", json: ["channel_id": "chn\r1", "console_url": .null]),
                          .unprocessableContent, field: "channel_id")
            #expect(try await api.request(.put, "/v1/settings/notification-digest",
                                          json: ["channel_id": .null, "console_url": "https://crm.example.com:8443/console?x=[1]"]).status == .ok)
            expectProblem(try await api.request(.put, "/v1/settings/notification-digest", json: ["channel_id": .string(mailID), "console_url": .null],
                                                auth: li.auth),
                          .forbidden)
            let set = try await api.request(.put, "/v1/settings/notification-digest",
                                            json: ["channel_id": .string(mailID), "console_url": "https://crm.acme.example/console"])
            #expect(set.status == .ok, "\(set.text)")
            #expect(try await api.get("/v1/settings/notification-digest").json["channel_id"]?.stringValue == mailID)

            #expect(try await api.get("/v1/notification-preferences", auth: li.auth).json["digest"]?["frequency"]?.stringValue == "off")
            let daily = try await api.request(.put, "/v1/notification-preferences", json: ["digest": ["frequency": "daily", "hour": 7]], auth: li.auth)
            #expect(daily.status == .ok, "\(daily.text)")
            #expect(daily.json["digest"] == ["frequency": "daily", "hour": 7])
            #expect(daily.json["kinds"]?["mention"] == .bool(true), "kinds left out are kept")
            let kindsOnly = try await api.request(.put, "/v1/notification-preferences", json: ["kinds": ["rule": false]], auth: li.auth)
            #expect(kindsOnly.json["digest"]?["hour"]?.intValue == 7, "the digest left out is kept")
            expectProblem(try await api.request(.put, "/v1/notification-preferences", json: ["digest": ["frequency": "weekly"]], auth: li.auth),
                          .unprocessableContent, field: "digest.frequency")
            expectProblem(try await api.request(.put, "/v1/notification-preferences", json: ["digest": ["frequency": "daily", "hour": 24]],
                                                auth: li.auth), .unprocessableContent, field: "digest.hour")
            expectProblem(try await api.request(.put, "/v1/notification-preferences", json: [:], auth: li.auth), .unprocessableContent, field: "kinds")
        }
    }

    @Test("the hourly and daily schedules in a time zone")
    func schedules() {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        let at = Timestamp(rfc3339: "2026-12-04T01:10:00Z")!  // 09:10 in Shanghai
        #expect(DigestSchedule(frequency: .hourly).nextDue(after: at, in: zone) == Timestamp(rfc3339: "2026-12-04T02:00:00Z"))
        #expect(DigestSchedule(frequency: .daily, hour: 9).nextDue(after: at, in: zone) == Timestamp(rfc3339: "2026-12-05T01:00:00Z"))
        #expect(DigestSchedule(frequency: .daily, hour: 18).nextDue(after: at, in: zone) == Timestamp(rfc3339: "2026-12-04T10:00:00Z"))
        #expect(DigestSchedule().nextDue(after: at, in: zone) == nil)
        #expect(DigestSchedule.stored(#"{"frequency":"daily","hour":7}"#) == DigestSchedule(frequency: .daily, hour: 7))
        #expect(DigestSchedule.stored("not json") == DigestSchedule())
    }
}
