import RapportCore
import RapportStore
import Synchronization

/// Mail for the email channels: a recipient is taken when it is an email channel's address
/// (`settings.address`, or any of `settings.addresses`); a message is read and stored once per
/// channel it was addressed to, in one commit.
struct ChannelMailIntake<Organization: OrganizationStore, Mail: MailStore>: MailIntake {
    let organization: Organization
    let mail: Mail
    let writer: any TransactionWriter
    let normalizer: IdentityNormalizer
    let attachmentMaxBytes: Int
    let parser = MailParser()
    let known = KnownAddresses()

    func accepts(recipient address: String) async throws -> Bool {
        try await !channels(for: [address]).isEmpty
    }

    func deliver(_ raw: [UInt8], envelope: SMTPSession.Envelope) async throws -> String {
        let channelIDs = try await channels(for: envelope.recipients)
        guard !channelIDs.isEmpty else { throw MailIntakeError.noChannel }
        let message = parser.parse(raw)
        let mail = self.mail
        // Analysed for routing here, before the write, rather than on the writer.
        let received = channelIDs.map { channelID in
            mail.preparedForRouting(ReceivedMail(channelID: channelID, raw: raw, message: message, envelopeFrom: envelope.from,
                                                 envelopeTo: envelope.recipients, attachmentLimit: attachmentMaxBytes, normalizer: normalizer))
        }
        var prefetch = WritePrefetch()
        for item in received {
            prefetch.identities += item.prefetch.identities
            prefetch.interactions += item.prefetch.interactions
        }
        return try await writer.write(prefetch: prefetch) { tx in
            var first: String?
            for item in received {
                let record = try await mail.receive(item, in: tx)
                first = first ?? record.id
            }
            return first!
        }
    }

    /// The email channels `addresses` reach, in channel order, each once.
    private func channels(for addresses: [String]) async throws -> [String] {
        let wanted = Set(addresses.map { $0.lowercased() })
        if let ids = known.channels(for: wanted) { return ids }
        let ids = try await organization.channels().filter { channel in
            channel.kind == .email && !wanted.isDisjoint(with: EmailChannelSettings.addresses(of: channel))
        }.map(\.id)
        if !ids.isEmpty { known.remember(ids, for: wanted) }
        return ids
    }
}

enum MailIntakeError: Error {
    case noChannel
}

/// Addresses found to be email channels' in the last second, so a burst of mail does not read
/// every channel for each recipient and each message. Only what was found is kept: a channel
/// created a moment ago is read from the store at its first message, and an address that stopped
/// being a channel's takes mail for at most a second longer (its delivery then fails with a
/// temporary 451 if the channel is gone, and the retry is refused).
final class KnownAddresses: Sendable {
    private let entries = Mutex<[Set<String>: (ids: [String], until: ContinuousClock.Instant)]>([:])
    private let lifetime: Duration = .seconds(1)

    func channels(for addresses: Set<String>) -> [String]? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[addresses], entry.until > now else { return nil }
            return entry.ids
        }
    }

    func remember(_ ids: [String], for addresses: Set<String>) {
        let until = ContinuousClock.now + lifetime
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[addresses] = (ids, until)
        }
    }
}
