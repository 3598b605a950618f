import Foundation

/// What a phone channel's settings say about its provider: the secret that signs the provider's
/// call events (`settings.call_webhook_secret`, `whsec_` and base64 as Standard Webhooks has
/// it). Write-only, like a mailbox password: the API shows only that one is set.
public enum PhoneChannelSettings {
    static let key = "call_webhook_secret"

    public static func secret(of channel: Channel) -> String? {
        channel.settings[key]?.stringValue
    }

    /// The problem with the secret in `settings`, if any.
    public static func problem(in settings: JSONObject) -> FieldIssue? {
        guard let value = settings[key], !value.isNull else { return nil }
        guard let text = value.stringValue, text.hasPrefix("whsec_"),
              let bytes = Data(base64Encoded: String(text.dropFirst("whsec_".count))), bytes.count >= 16, bytes.count <= 64 else {
            return FieldIssue(field: "settings.\(key)", message: "must be whsec_ followed by 16 to 64 bytes in base64")
        }
        return nil
    }

    /// `settings` as the API shows them: the secret replaced by whether one is set.
    public static func shown(_ settings: JSONObject) -> JSONObject {
        guard settings[key] != nil else { return settings }
        var shown = settings
        shown[key] = nil
        shown[key + "_set"] = .bool(settings[key]?.stringValue != nil)
        return shown
    }

    /// `new` settings with the stored secret kept when the new ones give none.
    public static func keepingSecret(_ new: JSONObject, from stored: JSONObject) -> JSONObject {
        var kept = new
        kept[key + "_set"] = nil
        if new[key] == nil, let secret = stored[key] { kept[key] = secret }
        return kept
    }
}
