import Foundation
import RapportCore
import RapportStore

/// Writes a demo story into a store through the area stores, as the API would: templates, channels
/// and colleagues first (kept when they exist), then each customer in one transaction — the
/// customer with its identities, what they said on each channel (threaded into conversations),
/// their records walked through their stages, notes and handoffs.
public struct DemoLoader: Sendable {
    let store: Store
    let normalizer: IdentityNormalizer

    public init(store: Store, normalizer: IdentityNormalizer) {
        self.store = store
        self.normalizer = normalizer
    }

    /// What the story's customers are loaded with: its channels, colleagues and record types.
    public struct Setting: Sendable {
        var channels: [ChannelKind: String] = [:]
        var colleagues: [String: Colleague] = [:]
        var userIDs: [String: String] = [:]
        var types: [String: RecordType] = [:]
    }

    /// Installs the story's templates and adds its channels and colleagues (those that exist are kept).
    public func prepare(_ story: DemoStory) async throws -> Setting {
        let context = FieldValueContext(normalizer: normalizer)
        var drafts: [RecordTypeDraft] = []
        for name in story.templates {
            guard let template = RecordTemplates.named(name) else { continue }
            for part in RecordTemplates.withRequirements(template) where !drafts.contains(where: { $0.key == part.name }) {
                for draft in try part.drafts(context: context) where !drafts.contains(where: { $0.key == draft.key }) { drafts.append(draft) }
            }
        }
        let install = drafts
        _ = try await store.write { tx in try await store.recordTypes.install(install, actor: .system, in: tx) }
        var setting = Setting()
        let existing = try await store.organization.channels()
        for channel in story.channels {
            if let found = existing.first(where: { $0.name == channel.name && $0.kind == channel.kind }) {
                setting.channels[channel.kind] = found.id
                continue
            }
            let made = try await store.write { tx in
                try await store.organization.insertChannel(kind: channel.kind, name: channel.name, settings: JSONObject(), actor: .system, in: tx)
            }
            setting.channels[channel.kind] = made.id
        }
        let departments = try await store.organization.departments()
        let users = try await store.organization.users()
        for colleague in story.colleagues {
            guard let department = departments.first(where: { $0.key == colleague.department }) else { continue }
            let user: User
            if let found = users.first(where: { $0.email == colleague.email }) {
                user = found
            } else {
                var changes = UserChanges(email: colleague.email, name: colleague.name, role: colleague.role)
                changes.departmentID = .set(department.id)
                let new = changes
                user = try await store.write { tx in try await store.organization.insertUser(new, actor: .system, in: tx) }
            }
            setting.userIDs[colleague.email] = user.id
            setting.colleagues[colleague.email] = Colleague(actor: Actor(kind: .user, id: user.id), departmentID: department.id,
                                                            moderates: colleague.role == .manager)
        }
        for draft in drafts {
            if let type = try await store.recordTypes.recordType(draft.key) { setting.types[draft.key] = type }
        }
        return setting
    }

    /// One customer's story in one transaction.
    public func load(_ person: DemoCustomer, setting: Setting) async throws {
        let (store, normalizer) = (self.store, self.normalizer)
        let context = FieldValueContext(normalizer: normalizer)
        try await store.write { tx in
            var identities = [try normalizer.normalize(.email, person.email), try normalizer.normalize(.phone, person.phone)]
            if let social = person.social { identities.append(Identity(kind: .social, value: social)) }
            let new = NewCustomer(name: person.name, givenName: person.givenName, familyName: person.familyName, identities: identities,
                                  lifecycleStage: person.lifecycleStage, attributes: person.attributes)
            let customer = try await store.customers.createCustomer(new, actor: .system, channelID: nil, in: tx)
            for message in person.messages.sorted(by: { $0.occurredAt < $1.occurredAt }) {
                guard let channel = setting.channels[message.channel] else { continue }
                let party: InteractionParty = switch message.channel {
                case .email: .identity(identities[0])
                case .phone: .identity(identities[1])
                case .social: identities.count > 2 ? .identity(identities[2]) : .customer(customer.id)
                default: .customer(customer.id)
                }
                _ = try await store.interactions.ingestInteraction(
                    NewInteraction(channelID: channel, party: party, direction: message.direction, kind: message.kind,
                                   subject: message.subject, body: message.body, occurredAt: message.occurredAt),
                    actor: .system, in: tx)
            }
            var made: [String: String] = [:]
            for record in person.records {
                guard let type = setting.types[record.type] else { continue }
                var fields = record.fields
                for (field, name) in record.references { if let id = made[name] { fields[field] = .string(id) } }
                let draft = try RecordDraft.read(["customer_id": .string(customer.id), "fields": .object(fields)], type: type, context: context)
                let created = try await store.records.createRecord(of: type, draft, actor: .system, in: tx)
                for stage in record.stages {
                    _ = try await store.records.changeRecord(created.id, of: type, RecordChanges(stage: stage), expectedVersion: nil,
                                                             context: context, actor: .system, in: tx)
                }
                made[record.name] = created.id
            }
            for note in person.notes {
                guard let author = setting.colleagues[note.author] else { continue }
                _ = try await store.notes.createNote(NoteDraft(customerID: customer.id, conversationID: nil, body: note.body, pinned: note.pinned),
                                                     author: author, in: tx)
            }
            for handoff in person.handoffs {
                guard let author = setting.colleagues[handoff.requestedBy] else { continue }
                let made = try await store.handoffs.requestHandoff(
                    HandoffDraft(kind: handoff.kind, fromDepartment: handoff.from, toDepartment: handoff.to, customerID: customer.id,
                                 reason: handoff.reason), by: author, in: tx)
                if let taker = handoff.acceptedBy, let colleague = setting.colleagues[taker] {
                    _ = try await store.handoffs.takeStep(made.id, .accept(userID: setting.userIDs[taker]), expectedVersion: nil,
                                                          by: colleague, in: tx)
                }
            }
        }
    }
}
