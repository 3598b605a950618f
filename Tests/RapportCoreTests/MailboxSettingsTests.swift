import RapportCore
import Testing

@Suite struct MailboxSettingsTests {
    func read(_ imap: JSONValue) -> Result<MailboxSettings?, ValidationFailure> {
        MailboxSettings.read(["address": "support@acme.example", "imap": imap])
    }

    @Test func aMailboxIsReadFromTheChannelsSettings() throws {
        let settings = try read(["url": "imaps://imap.example.com", "username": "support@acme.example", "password": "s3cret"]).get()
        #expect(settings == MailboxSettings(host: "imap.example.com", port: 993, security: .tls, username: "support@acme.example",
                                            password: "s3cret", mailbox: "INBOX", pollSeconds: 60))
        let starttls = try read(["url": "imap+starttls://[::1]:1143", "username": "u", "password": "p", "mailbox": "Support",
                                 "poll_seconds": 10]).get()
        #expect(starttls?.host == "::1")
        #expect(starttls?.port == 1143)
        #expect(starttls?.security == .starttls)
        #expect(starttls?.mailbox == "Support")
        #expect(try MailboxSettings.read(["address": "a@b.example"]).get() == nil)
    }

    @Test func problemsAreNamedByField() {
        guard case .failure(let failure) = read(["url": "http://x", "poll_seconds": 1, "colour": "red"]) else {
            Issue.record("accepted")
            return
        }
        #expect(Set(failure.issues.map(\.field)) == ["settings.imap.url", "settings.imap.username", "settings.imap.poll_seconds",
                                                     "settings.imap.colour"])
        let changes = Result { try ChannelChanges.read(["kind": "email", "name": "Support", "settings": ["imap": ["url": "imaps://x"]]],
                                                       creating: true) }
        guard case .failure(let error as ValidationFailure) = changes else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.field) == ["settings.imap.username"])
    }

    @Test func thePasswordIsNeverShownAndSurvivesAnEditThatLeavesIt() {
        let stored: JSONObject = ["imap": ["url": "imaps://x", "username": "u", "password": "s3cret"]]
        let channel = Channel(id: "chn_1", kind: .email, name: "Support", settings: stored, createdAt: .now(), updatedAt: .now())
        let shown = channel.json.objectValue?["settings"]?.objectValue?["imap"]?.objectValue
        #expect(shown?["password"] == nil)
        #expect(shown?["username"] == JSONValue.string("u"))
        #expect(shown?["password_set"] == JSONValue.bool(true))
        #expect(!String(decoding: channel.json.serialized(), as: UTF8.self).contains("s3cret"))

        let edit: JSONObject = ["imap": ["url": "imaps://y", "username": "u"]]
        #expect(MailboxSettings.keepingPassword(edit, from: stored)["imap"]?.objectValue?["password"] == JSONValue.string("s3cret"))
        let replaced: JSONObject = ["imap": ["url": "imaps://y", "username": "u", "password": "new"]]
        #expect(MailboxSettings.keepingPassword(replaced, from: stored)["imap"]?.objectValue?["password"] == JSONValue.string("new"))
        // What the API showed may come back with an edit; it is not a setting.
        let again = try? ChannelChanges.read(["settings": ["imap": ["url": "imaps://y", "username": "u", "password_set": true]]],
                                             creating: false, storedKind: .email)
        #expect(again?.settings?["imap"]?.objectValue?["password_set"] == nil)
        #expect(again?.settings?["imap"]?.objectValue?["url"] == JSONValue.string("imaps://y"))
    }
}
