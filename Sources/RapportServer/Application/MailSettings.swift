import RapportChannels

/// The email side of `rapport serve`: the SMTP server's settings, or nil when no SMTP port is
/// configured. Every mail setting is checked either way, so a wrong one is refused at start.
public struct MailSettings: Sendable {
    public var smtp: SMTPServerConfiguration

    public init(smtp: SMTPServerConfiguration) {
        self.smtp = smtp
    }

    public init?(settings: SettingSources) throws(SettingError) {
        let port = try settings.value(ServeSettings.smtpPort)
        let host = try settings.value(ServeSettings.smtpHost)
        let hostname = try settings.value(ServeSettings.smtpHostname)
        let certificate = try settings.value(ServeSettings.smtpTLSCertificate)
        let key = try settings.value(ServeSettings.smtpTLSKey)
        let maxMessageBytes = try settings.value(ServeSettings.smtpMaxMessageBytes)
        let senderRate = try settings.value(ServeSettings.smtpSenderRate)
        let attachmentMaxBytes = try settings.value(ServeSettings.mailAttachmentMaxBytes)
        if (certificate == nil) != (key == nil) {
            throw SettingError(name: certificate == nil ? .smtpTLSCertificate : .smtpTLSKey, variable: nil,
                               problem: "STARTTLS needs both --smtp-tls-certificate and --smtp-tls-key")
        }
        guard let port else { return nil }
        self.init(smtp: SMTPServerConfiguration(host: host, port: port, hostname: hostname, maxMessageBytes: maxMessageBytes,
                                                senderRatePerMinute: senderRate, tlsCertificatePath: certificate, tlsKeyPath: key,
                                                attachmentMaxBytes: attachmentMaxBytes))
    }
}
