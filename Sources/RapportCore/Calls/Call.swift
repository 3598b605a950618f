/// A phone call as Rapport follows it from the provider's events.
public struct Call: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case ringing, answered, ended, missed, voicemail

        /// How far a call has come: an event never moves it back.
        var rank: Int {
            switch self {
            case .ringing: 0
            case .answered: 1
            case .ended, .missed, .voicemail: 2
            }
        }

        public var isFinal: Bool { rank == 2 }
    }

    public var id: String
    public var channelID: String
    public var providerCallID: String
    public var customerID: String
    public var direction: InteractionDirection
    public var from: String
    public var to: String
    public var status: Status
    public var startedAt: Timestamp
    public var answeredAt: Timestamp?
    public var endedAt: Timestamp?
    public var durationSeconds: Int?
    public var agentID: String?
    public var recordingURL: String?
    public var transcript: String?
    /// The interaction the call became once it ended.
    public var interactionID: String?
    public var updatedAt: Timestamp

    public init(id: String, channelID: String, providerCallID: String, customerID: String, direction: InteractionDirection, from: String,
                to: String, status: Status, startedAt: Timestamp, answeredAt: Timestamp? = nil, endedAt: Timestamp? = nil,
                durationSeconds: Int? = nil, agentID: String? = nil, recordingURL: String? = nil, transcript: String? = nil,
                interactionID: String? = nil, updatedAt: Timestamp) {
        self.id = id
        self.channelID = channelID
        self.providerCallID = providerCallID
        self.customerID = customerID
        self.direction = direction
        self.from = from
        self.to = to
        self.status = status
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.durationSeconds = durationSeconds
        self.agentID = agentID
        self.recordingURL = recordingURL
        self.transcript = transcript
        self.interactionID = interactionID
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["channel_id"] = .string(channelID)
        object["provider_call_id"] = .string(providerCallID)
        object["customer_id"] = .string(customerID)
        object["direction"] = .string(direction.rawValue)
        object["from"] = .string(from)
        object["to"] = .string(to)
        object["status"] = .string(status.rawValue)
        object["started_at"] = .string(startedAt.rfc3339)
        object["answered_at"] = answeredAt.map { .string($0.rfc3339) } ?? .null
        object["ended_at"] = endedAt.map { .string($0.rfc3339) } ?? .null
        object["duration_seconds"] = durationSeconds.map { .integer(Int64($0)) } ?? .null
        object["agent_id"] = agentID.map(JSONValue.string) ?? .null
        object["recording_url"] = recordingURL.map(JSONValue.string) ?? .null
        object["transcript"] = transcript.map(JSONValue.string) ?? .null
        object["interaction_id"] = interactionID.map(JSONValue.string) ?? .null
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }
}

/// How a provider's event moves a call on: pure, so events arriving late or twice, or out of
/// order, leave the call where the furthest of them put it.
public enum CallProgress {
    public struct Outcome: Sendable, Equatable {
        public var call: Call
        /// Whether the event changed anything.
        public var changed: Bool
        /// Whether this event ended the call (it becomes an interaction now), or brought a
        /// voicemail to a call that had ended missed (a second interaction: the message left).
        public var finished: Bool
    }

    /// The call after `event`: `existing`, or a new call with `id` for `customerID`.
    public static func apply(_ event: CallEvent, to existing: Call?, id: String, channelID: String, customerID: String,
                             now: Timestamp) -> Outcome {
        let before = existing
        var call = existing ?? Call(id: id, channelID: channelID, providerCallID: event.callID, customerID: customerID,
                                    direction: event.direction, from: event.from, to: event.to, status: .ringing, startedAt: event.at,
                                    updatedAt: now)
        call.startedAt = min(call.startedAt, event.at)
        var status = Call.Status(rawValue: event.kind.rawValue) ?? .ringing
        if event.kind == .answered { call.answeredAt = call.answeredAt ?? event.at }
        // Ended without being answered (and without a talk time) is a missed call.
        if event.kind == .ended, call.answeredAt == nil, (event.durationSeconds ?? 0) == 0 { status = .missed }
        if let agent = event.agentID { call.agentID = agent }
        if let duration = event.durationSeconds { call.durationSeconds = duration }
        if let recording = event.recordingURL { call.recordingURL = recording }
        if let transcript = event.transcript { call.transcript = transcript }
        var finished = false
        if status.rank > call.status.rank {
            call.status = status
            if status.isFinal {
                call.endedAt = event.at
                finished = true
            }
        } else if status == .voicemail, call.status == .missed {
            // A missed call where the caller left a message.
            call.status = .voicemail
            finished = true
        }
        if call.status == .ended, call.durationSeconds == nil, let answered = call.answeredAt, let ended = call.endedAt {
            call.durationSeconds = Int(max(0, ended.microseconds - answered.microseconds) / 1_000_000)
        }
        let changed = before.map { var old = $0; old.updatedAt = call.updatedAt; return old != call } ?? true
        if changed { call.updatedAt = now }
        return Outcome(call: call, changed: changed, finished: finished)
    }

    /// The interaction a call that ended becomes: a missed call or a voicemail opens a
    /// conversation of its own (to call back); an answered call joins the customer's phone
    /// conversation as any contact does.
    public static func interaction(_ call: Call) -> NewInteraction {
        var metadata = JSONObject()
        metadata["call_id"] = .string(call.id)
        metadata["provider_call_id"] = .string(call.providerCallID)
        metadata["call_status"] = .string(call.status.rawValue)
        metadata["from"] = .string(call.from)
        metadata["to"] = .string(call.to)
        metadata["duration_seconds"] = call.durationSeconds.map { .integer(Int64($0)) } ?? .null
        metadata["agent_id"] = call.agentID.map(JSONValue.string) ?? .null
        metadata["recording_url"] = call.recordingURL.map(JSONValue.string) ?? .null
        if call.status == .missed || call.status == .voicemail {
            metadata["thread_id"] = .string("call:\(call.providerCallID)")
            metadata["callback"] = .bool(true)
        }
        let body = call.status == .voicemail ? call.transcript : nil
        return NewInteraction(channelID: call.channelID, party: .customer(call.customerID), direction: call.direction, kind: .call,
                              subject: nil, body: body, metadata: metadata, occurredAt: call.startedAt,
                              externalID: "call:\(call.providerCallID):\(call.status.rawValue)")
    }
}
