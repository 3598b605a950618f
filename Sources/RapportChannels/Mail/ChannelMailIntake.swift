import RapportCore
import RapportStore

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

    func accepts(recipient address: String) async throws -> Bool {
        try await !channels(for: [address]).isEmpty
    }

    func deliver(_ raw: [UInt8], envelope: SMTPSession.Envelope) async throws -> String {
        let channelIDs = try await channels(for: envelope.recipients)
        guard !channelIDs.isEmpty else { throw MailIntakeError.noChannel }
        let message = parser.parse(raw)
        let received = channelIDs.map { channelID in
            ReceivedMail(channelID: channelID, raw: raw, message: message, envelopeFrom: envelope.from, envelopeTo: envelope.recipients,
                         attachmentLimit: attachmentMaxBytes, normalizer: normalizer)
        }
        let mail = self.mail
        return try await writer.write { tx in
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
        return try await organization.channels().filter { channel in
            channel.kind == .email && !wanted.isDisjoint(with: EmailChannelSettings.addresses(of: channel))
        }.map(\.id)
    }
}

enum MailIntakeError: Error {
    case noChannel
}
