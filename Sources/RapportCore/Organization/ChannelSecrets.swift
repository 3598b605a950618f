/// The write-only secrets channel settings may hold (a mailbox password, a call webhook secret,
/// a chat identity secret): hidden whenever the API shows settings, and kept when an edit,
/// which never saw them, leaves them out. The one place the API's settings pass through.
public enum ChannelSecrets {
    /// `settings` as the API shows them.
    public static func shown(_ settings: JSONObject) -> JSONObject {
        ChatChannelSettings.shown(PhoneChannelSettings.shown(MailboxSettings.shown(settings)))
    }

    /// `new` settings with every stored secret they leave out kept.
    public static func keeping(_ new: JSONObject, from stored: JSONObject) -> JSONObject {
        ChatChannelSettings.keepingSecret(
            PhoneChannelSettings.keepingSecret(MailboxSettings.keepingPassword(new, from: stored), from: stored), from: stored)
    }
}
