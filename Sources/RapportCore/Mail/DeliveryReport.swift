/// A delivery status notification (RFC 3464): what happened to each recipient of a message
/// Rapport (or the company) sent.
public struct DeliveryReport: Sendable, Equatable {
    public struct Recipient: Sendable, Equatable {
        /// The address (from `Final-Recipient`, else `Original-Recipient`), without its type.
        public var address: String
        /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lowercased.
        public var action: String
        /// The enhanced status code (RFC 3463), e.g. `5.1.1`.
        public var status: String?
        public var diagnostic: String?

        /// A permanent failure: the address does not take mail.
        public var isPermanentFailure: Bool { action == "failed" && (status?.hasPrefix("5") ?? true) }
    }

    public var reportingMTA: String?
    public var recipients: [Recipient]
    /// The Message-ID of the message the report is about, from the returned headers.
    public var originalMessageID: String?

    public var failedRecipients: [Recipient] { recipients.filter(\.isPermanentFailure) }
    public var isDelay: Bool { recipients.contains { $0.action == "delayed" } }

    /// Reads the body of a `message/delivery-status` part: a per-message block, then one block
    /// per recipient, each in header syntax, separated by blank lines.
    public static func parse(_ body: ArraySlice<UInt8>, returnedHeaders: MailHeaders?) -> DeliveryReport {
        var blocks: [MailHeaders] = []
        var rest = body
        while !rest.isEmpty {
            // Skip blank lines between blocks.
            while let first = rest.first, first == 0x0D || first == 0x0A || first == 0x20 || first == 0x09 { rest = rest.dropFirst() }
            if rest.isEmpty { break }
            let parsed = MailHeaderParser.parse(rest)
            if !parsed.headers.fields.isEmpty { blocks.append(parsed.headers) }
            if parsed.body.count >= rest.count { break }
            rest = parsed.body
        }
        let perMessage = blocks.first
        var recipients: [Recipient] = []
        for block in blocks.dropFirst().isEmpty ? blocks[...] : blocks.dropFirst() {
            guard let recipient = block["Final-Recipient"] ?? block["Original-Recipient"], let action = block["Action"] else { continue }
            let address = recipient.split(separator: ";", maxSplits: 1).last.map { String($0).trimmingSpace() } ?? recipient
            let status = block["Status"].map { String($0.trimmingSpace().prefix { !$0.isWhitespace && $0 != "(" }) }
            recipients.append(Recipient(address: address.trimmingCharacters(["<", ">", " "]), action: action.trimmingSpace().lowercased(),
                                        status: status, diagnostic: block["Diagnostic-Code"]))
        }
        return DeliveryReport(reportingMTA: perMessage?["Reporting-MTA"], recipients: recipients,
                              originalMessageID: MessageIDs.first(returnedHeaders?["Message-ID"]))
    }
}
