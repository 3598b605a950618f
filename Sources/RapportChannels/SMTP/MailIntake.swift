/// Where the SMTP server hands what it receives: which addresses it takes mail for, and the
/// durable store of a message. `deliver` returns only once the message is committed, because
/// the server answers `250` after it.
protocol MailIntake: Sendable {
    /// Whether mail for `address` is taken here (it is an email channel's address).
    func accepts(recipient address: String) async throws -> Bool

    /// Stores the message; returns the id the `250` reply names.
    func deliver(_ raw: [UInt8], envelope: SMTPSession.Envelope) async throws -> String
}
