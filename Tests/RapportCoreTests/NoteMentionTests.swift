import RapportCore
import Testing

@Suite("Notes: mentions found, looked up and fanned out; who sees private notes") struct NoteMentionTests {
    let directory = MentionDirectory(
        users: [
            .init(id: "usr_ana", name: "Ana Lima", email: "ana.lima@example.com", departmentID: "dep_service"),
            .init(id: "usr_li", name: "李伟", email: "liwei@example.com", departmentID: "dep_sales"),
            .init(id: "usr_bo", name: "Bo Chen", email: "bo@example.com", departmentID: "dep_sales"),
            .init(id: "usr_bo2", name: "Bo Chen", email: "bo.chen@example.com", departmentID: "dep_finance"),
            .init(id: "usr_sales", name: "Sam Sales", email: "sales@example.com", departmentID: "dep_sales"),
        ],
        departments: [(id: "dep_service", key: "service", name: "Customer Service"), (id: "dep_sales", key: "sales", name: "Sales"),
                      (id: "dep_finance", key: "finance", name: "Finance")],
        queues: [.init(id: "que_vip", key: "vip", name: "VIP", departmentID: "dep_sales", memberIDs: ["usr_bo", "usr_gone"])])

    @Test func handlesAndExplicitMentionsAreFoundOutsideCodeAndAddresses() {
        let text = """
            @sales please call back, cc @[Li Wei](user:usr_li) and @ana.lima.
            Write to ana@example.com, not `@finance` —
            ```
            @vip in a block
            ```
            (@vip) @李伟请看
            """
        let tokens = MentionParser.tokens(in: text)
        #expect(tokens.map(\.text) == ["@sales", "@[Li Wei](user:usr_li)", "@ana.lima", "@vip", "@李伟请看"])
        #expect(tokens[1].target == .explicit(kind: .user, id: "usr_li", name: "Li Wei"))
        #expect(tokens[0].target == .handle("sales"))
        #expect(MentionParser.tokens(in: "@[broken](user:) @[x](robot:1) @ a@b").isEmpty)
    }

    @Test func departmentsWinOverPeopleAndChineseNamesMentionWithoutSpaces() {
        let tokens = MentionParser.tokens(in: "@sales @AnaLima @李伟请看 @vip @nobody @bochen @[Gone](user:usr_gone)")
        let (resolved, unresolved) = MentionResolution.resolve(tokens, in: directory, privateTo: nil)
        #expect(resolved.map(\.id) == ["dep_sales", "usr_ana", "usr_li", "que_vip"])
        #expect(resolved[2].text == "@李伟")
        #expect(unresolved == [UnresolvedMention(text: "@nobody", reason: .unknown), UnresolvedMention(text: "@bochen", reason: .ambiguous),
                               UnresolvedMention(text: "@[Gone](user:usr_gone)", reason: .unknown)])
    }

    @Test func aPrivateNoteMentionsOnlyItsDepartmentAndAtMost25() {
        let (resolved, unresolved) = MentionResolution.resolve(MentionParser.tokens(in: "@service @sales @ana.lima @liwei"),
                                                               in: directory, privateTo: "dep_service")
        #expect(resolved.map(\.id) == ["dep_service", "usr_ana"])
        #expect(unresolved.map(\.reason) == [.cannotSee, .cannotSee])
        let many = MentionDirectory(users: (0..<30).map { .init(id: "usr_\($0)", name: "P \($0)", email: "p\($0)@x.com", departmentID: nil) },
                                    departments: [], queues: [])
        let text = (0..<30).map { "@p\($0)" }.joined(separator: " ") + " @p0"
        let capped = MentionResolution.resolve(MentionParser.tokens(in: text), in: many, privateTo: nil)
        #expect(capped.resolved.count == MentionResolution.maxMentions)
        #expect(capped.unresolved.count == 5)
        #expect(capped.unresolved.allSatisfy { $0.reason == .tooMany })
    }

    @Test func everyoneConcernedHearsOnceAndTheAuthorNever() {
        let mentions = MentionResolution.resolve(MentionParser.tokens(in: "@sales @bo @vip"), in: directory, privateTo: nil).resolved
        let recipients = NotificationFanout.recipients(
            mentions: mentions, followers: ["usr_ana", "usr_bo2", "usr_sales", "usr_gone"], directory: directory, authorUserID: "usr_ana",
            privateTo: nil, preferences: ["usr_bo2": NotificationPreferences(disabled: [.noteOnFollowed])])
        #expect(recipients.map(\.userID) == ["usr_bo", "usr_li", "usr_sales"])
        #expect(recipients[0].via == nil)
        #expect(recipients[1].via?.id == "dep_sales")
        #expect(recipients.allSatisfy { $0.kind == .mention })
        let followersOnly = NotificationFanout.recipients(mentions: [], followers: ["usr_li", "usr_ana"], directory: directory,
                                                          authorUserID: "usr_bo", privateTo: "dep_sales", preferences: [:])
        #expect(followersOnly == [.init(userID: "usr_li", kind: .noteOnFollowed, via: nil)])
    }

    @Test func autocompleteMatchesNamesHandlesAndChineseCharacters() {
        #expect(directory.suggestions(for: "li", limit: 10).map(\.id).contains("usr_ana"))
        #expect(directory.suggestions(for: "伟", limit: 10).map(\.id) == ["usr_li"])
        #expect(directory.suggestions(for: "sal", limit: 10).map(\.id) == ["dep_sales", "usr_sales"])
    }

    @Test func privateNoteEventsReachOnlyTheirDepartmentAndNotificationsOnlyTheirUser() {
        let note = Note(id: "not_1", customerID: "cus_1", conversationID: nil, body: "secret", visibility: .department,
                        departmentID: "dep_service", pinned: false, author: Actor(kind: .user, id: "usr_ana"), authorName: "Ana",
                        mentions: [], unresolvedMentions: [], attachments: [], version: 1,
                        createdAt: Timestamp(microseconds: 1), updatedAt: Timestamp(microseconds: 1), editedAt: nil)
        #expect(note.eventJSON.objectValue?["body"] == nil)
        #expect(note.json.objectValue?["body"] == .string("secret"))
        let draft = EventDraft.change("note", "created", subject: "cus_1", record: note.eventJSON, changedFields: [], actor: note.author)
        let event = Event(sequence: 1, id: "e1", type: draft.type, subject: draft.subject, time: Timestamp(microseconds: 1), data: draft.data)
        #expect(EventVisibility.allows(EventReader(role: .agent, departmentID: "dep_service"), toSee: event))
        #expect(!EventVisibility.allows(EventReader(role: .agent, departmentID: "dep_sales"), toSee: event))
        #expect(!EventVisibility.allows(EventReader(role: .admin), toSee: event))
        #expect(!EventVisibility.allows(.broker, toSee: event))
        let notification = EventDraft.change("notification", "created", subject: "usr_li", record: ["id": "ntf_1", "user_id": "usr_li"],
                                             changedFields: [], actor: .system)
        let delivered = Event(sequence: 2, id: "e2", type: notification.type, subject: "usr_li", time: Timestamp(microseconds: 1),
                              data: notification.data)
        #expect(EventVisibility.allows(EventReader(role: .viewer, userID: "usr_li"), toSee: delivered))
        #expect(!EventVisibility.allows(EventReader(role: .admin, userID: "usr_ana"), toSee: delivered))
        #expect(!EventVisibility.allows(EventReader(role: .admin), toSee: delivered))
    }

    @Test func excerptsDropMarkupAndInputIsCheckedWithTheTooLongTextApart() throws {
        #expect(UserNotification.excerpt(of: "# Call back\n\n**Now**, @[Li Wei](user:usr_li) - `asap`") == "Call back Now, @Li Wei - asap")
        #expect(UserNotification.excerpt(of: String(repeating: "a", count: 300)).count == 200)
        let draft = try NoteDraft.read(["customer_id": "cus_1", "body": "Hi\r\nthere", "visibility": "department"])
        #expect(draft.body == "Hi\nthere")
        #expect(draft.visibility == .department)
        do {
            _ = try NoteDraft.read(["customer_id": "cus_1", "body": .string(String(repeating: "x", count: NoteDraft.maxBodyCharacters + 1))])
            Issue.record("a text over the limit was read")
        } catch {
            guard case .bodyTooLong = error else { Issue.record("expected bodyTooLong, got \(error)"); return }
        }
        do {
            _ = try NoteDraft.read(["body": " ", "visibility": "secret"])
            Issue.record("a blank note was read")
        } catch {
            guard case .invalid(let failure) = error else { Issue.record("expected invalid, got \(error)"); return }
            #expect(Set(failure.issues.map(\.field)) == ["customer_id", "body", "visibility"])
        }
    }

    @Test func theMixedTimelinePagesBothListsInOneOrder() {
        func interaction(_ id: String, _ time: Int64) -> Interaction {
            Interaction(id: id, customerID: "cus_1", channelID: "chn_1", direction: .inbound, kind: .message, subject: nil, body: "",
                        metadata: [:], occurredAt: Timestamp(microseconds: time), externalID: nil, createdAt: Timestamp(microseconds: time))
        }
        func note(_ id: String, _ time: Int64) -> Note {
            Note(id: id, customerID: "cus_1", conversationID: nil, body: "n", visibility: .everyone, departmentID: nil, pinned: false,
                 author: .system, authorName: nil, mentions: [], unresolvedMentions: [], attachments: [], version: 1,
                 createdAt: Timestamp(microseconds: time), updatedAt: Timestamp(microseconds: time), editedAt: nil)
        }
        let page = ActivityEntry.merge(interactions: [interaction("int_1", 10), interaction("int_2", 30)], moreInteractions: false,
                                       notes: [note("not_1", 20), note("not_2", 30)], moreNotes: false, newestFirst: false, limit: 3)
        #expect(page.entries.map(\.id) == ["int_1", "not_1", "int_2"])
        #expect(page.more)
        let newest = ActivityEntry.merge(interactions: [interaction("int_2", 30)], moreInteractions: false,
                                         notes: [note("not_2", 30)], moreNotes: false, newestFirst: true, limit: 5)
        #expect(newest.entries.map(\.id) == ["not_2", "int_2"])
        #expect(!newest.more)
    }
}
