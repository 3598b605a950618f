import RapportCore

/// What a write will look up, declared up front so the writer can read it for a whole batch in
/// one statement instead of one statement per request.
public struct WritePrefetch: Sendable {
    public var identities: [Identity]
    public var interactions: [ExternalKey]

    public init(identities: [Identity] = [], interactions: [ExternalKey] = []) {
        self.identities = identities
        self.interactions = interactions
    }

    public static let nothing = WritePrefetch()

    var isEmpty: Bool { identities.isEmpty && interactions.isEmpty }

    /// What ingesting `new` needs: its identity's holder and whether its external id is stored.
    public static func ingest(_ new: NewInteraction) -> WritePrefetch {
        var prefetch = WritePrefetch()
        if case .identity(let identity) = new.party { prefetch.identities = [identity] }
        if let externalID = new.externalID { prefetch.interactions = [ExternalKey(channelID: new.channelID, externalID: externalID)] }
        return prefetch
    }
}

/// An interaction's identity in its channel's own terms.
public struct ExternalKey: Sendable, Hashable {
    public var channelID: String
    public var externalID: String

    public init(channelID: String, externalID: String) {
        self.channelID = channelID
        self.externalID = externalID
    }
}
