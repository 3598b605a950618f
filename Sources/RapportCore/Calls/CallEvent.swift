/// What a telephony provider reports about a call, as `POST /hooks/calls/{channel_id}` takes it
/// (the provider's adapter translates its own format into this one):
/// `{"id": "evt-1", "call_id": "CA1", "type": "ringing", "direction": "inbound",
///   "from": "+14155550101", "to": "+14155550000", "at": "2026-12-03T10:00:00Z",
///   "agent_id": "usr_…", "duration_seconds": 42, "recording_url": "https://…", "transcript": "…"}`.
public struct CallEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case ringing, answered, ended, missed, voicemail
    }

    /// The provider's id of this event: a repeat (a retried delivery) is applied once.
    public var id: String
    /// The provider's id of the call.
    public var callID: String
    public var kind: Kind
    public var direction: InteractionDirection
    /// The caller and the called number, in E.164 once read.
    public var from: String
    public var to: String
    public var at: Timestamp
    public var agentID: String?
    public var durationSeconds: Int?
    public var recordingURL: String?
    public var transcript: String?

    public init(id: String, callID: String, kind: Kind, direction: InteractionDirection, from: String, to: String, at: Timestamp,
                agentID: String? = nil, durationSeconds: Int? = nil, recordingURL: String? = nil, transcript: String? = nil) {
        self.id = id
        self.callID = callID
        self.kind = kind
        self.direction = direction
        self.from = from
        self.to = to
        self.at = at
        self.agentID = agentID
        self.durationSeconds = durationSeconds
        self.recordingURL = recordingURL
        self.transcript = transcript
    }

    /// The customer's number: the caller of an inbound call, the called one of an outbound call.
    public var customerNumber: String { direction == .inbound ? from : to }

    public static func read(_ value: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> CallEvent {
        var reader = try InputReader(value)
        let id = reader.string("id", required: true, maxLength: 200)
        let callID = reader.string("call_id", required: true, maxLength: 200)
        let kind: Kind? = reader.enumeration("type", required: true)
        let direction: InteractionDirection = reader.enumeration("direction") ?? .inbound
        func number(_ key: String) -> String? {
            guard let text = reader.string(key, required: true, maxLength: 64) else { return nil }
            do throws(IdentityError) {
                return try normalizer.normalizePhone(text)
            } catch {
                reader.fail(key, error.message)
                return nil
            }
        }
        let from = number("from")
        let to = number("to")
        let at = reader.timestamp("at")
        if reader.object["at"] == nil { reader.fail("at", "is required") }
        let agentID = reader.string("agent_id", maxLength: 64)
        let duration = reader.integer("duration_seconds", in: 0...86_400).map(Int.init)
        let recording = reader.string("recording_url", maxLength: 2_000)
        if let recording, !(recording.hasPrefix("https://") || recording.hasPrefix("http://")) {
            reader.fail("recording_url", "must be an http(s) URL")
        }
        let transcript = reader.string("transcript", maxLength: NewInteraction.maxBodyLength)
        try reader.finish()
        return CallEvent(id: id ?? "", callID: callID ?? "", kind: kind ?? .ringing, direction: direction, from: from ?? "", to: to ?? "",
                         at: at ?? Timestamp(microseconds: 0), agentID: agentID, durationSeconds: duration, recordingURL: recording,
                         transcript: transcript)
    }
}
