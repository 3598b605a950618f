import RapportChannels
import RapportCore

/// The email side of `rapport serve`: the SMTP server that receives (nil without an SMTP port),
/// the relay that sends (nil without `mail-relay`), and the limits and names they and the
/// mailbox fetcher use. Every
/// mail setting is checked either way, so a wrong one is refused at start.
public struct MailSettings: Sendable {
    public var smtp: SMTPServerConfiguration?
    public var relay: RelayConfiguration?
    public var retrySchedule: RetrySchedule
    /// The host's name: in the SMTP greeting, `EHLO` to the relay, and Message-IDs.
    public var hostname: String
    /// Attachments larger than this are not kept from received mail; files sent with a reply
    /// may come to this much together.
    public var attachmentMaxBytes: Int
    /// The largest message taken, by SMTP or from a mailbox.
    public var maxMessageBytes: Int
    /// PEM certificates the mailbox fetcher trusts for IMAP over TLS instead of the system's (a
    /// private CA); nil for the system's.
    public var mailboxTrustedCertificatesPath: String?

    public init(smtp: SMTPServerConfiguration? = nil, relay: RelayConfiguration? = nil, retrySchedule: RetrySchedule = MailSending.standardSchedule,
                hostname: String = "rapport", attachmentMaxBytes: Int = 10 << 20, maxMessageBytes: Int = 25 << 20,
                mailboxTrustedCertificatesPath: String? = nil) {
        self.smtp = smtp
        self.relay = relay
        self.retrySchedule = retrySchedule
        self.hostname = hostname
        self.attachmentMaxBytes = attachmentMaxBytes
        self.maxMessageBytes = maxMessageBytes
        self.mailboxTrustedCertificatesPath = mailboxTrustedCertificatesPath
    }

    public init(settings: SettingSources) throws(SettingError) {
        let port = try settings.value(ServeSettings.smtpPort)
        let host = try settings.value(ServeSettings.smtpHost)
        let hostname = try settings.value(ServeSettings.smtpHostname)
        let certificate = try settings.value(ServeSettings.smtpTLSCertificate)
        let key = try settings.value(ServeSettings.smtpTLSKey)
        let maxMessageBytes = try settings.value(ServeSettings.smtpMaxMessageBytes)
        let senderRate = try settings.value(ServeSettings.smtpSenderRate)
        let attachmentMaxBytes = try settings.value(ServeSettings.mailAttachmentMaxBytes)
        let relayURL = try settings.value(ServeSettings.mailRelay)
        let username = try settings.value(ServeSettings.mailRelayUsername)
        let password = try settings.value(ServeSettings.mailRelayPassword)
        let trusted = try settings.value(ServeSettings.mailRelayCAFile)
        let retry = try settings.value(ServeSettings.mailRetryDelays)
        let mailboxTrusted = try settings.value(ServeSettings.mailboxCAFile)
        if (certificate == nil) != (key == nil) {
            throw SettingError(name: certificate == nil ? .smtpTLSCertificate : .smtpTLSKey, variable: nil,
                               problem: "STARTTLS needs both --smtp-tls-certificate and --smtp-tls-key")
        }
        if (username == nil) != (password == nil) {
            throw SettingError(name: username == nil ? .mailRelayUsername : .mailRelayPassword, variable: nil,
                               problem: "AUTH at the relay needs both --mail-relay-username and --mail-relay-password")
        }
        let smtp = port.map {
            SMTPServerConfiguration(host: host, port: $0, hostname: hostname, maxMessageBytes: maxMessageBytes,
                                    senderRatePerMinute: senderRate, tlsCertificatePath: certificate, tlsKeyPath: key,
                                    attachmentMaxBytes: attachmentMaxBytes)
        }
        let relay = relayURL.flatMap {
            RelayConfiguration(url: $0, username: username, password: password, trustedCertificatesPath: trusted, hostname: hostname)
        }
        self.init(smtp: smtp, relay: relay, retrySchedule: retry, hostname: hostname, attachmentMaxBytes: attachmentMaxBytes,
                  maxMessageBytes: maxMessageBytes, mailboxTrustedCertificatesPath: mailboxTrusted)
    }
}
