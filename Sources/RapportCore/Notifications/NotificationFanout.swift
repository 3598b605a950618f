/// Who hears about a note: everyone it mentions (directly, or through their department or
/// queue) and everyone who follows what it is about; each person once, a direct mention first;
/// never its author, never anyone who may not see it, never a kind someone turned off.
public enum NotificationFanout {
    public struct Recipient: Sendable, Equatable {
        public var userID: String
        public var kind: NotificationKind
        /// The department or queue mention that reached them; nil for a direct mention or a follow.
        public var via: ResolvedMention?

        public init(userID: String, kind: NotificationKind, via: ResolvedMention?) {
            self.userID = userID
            self.kind = kind
            self.via = via
        }
    }

    /// `mentions`: the note's mentions that are new (all of them for a new note; on an edit, the
    /// ones the earlier text did not have). `followers`: users following the customer or
    /// conversation (none on an edit). `preferences`: per user, when not the defaults.
    public static func recipients(mentions: [ResolvedMention], followers: [String], directory: MentionDirectory,
                                  authorUserID: String?, privateTo departmentID: String?,
                                  preferences: [String: NotificationPreferences]) -> [Recipient] {
        var recipients: [Recipient] = []
        var reached: Set<String> = []
        func add(_ userID: String, _ kind: NotificationKind, via: ResolvedMention?) {
            guard userID != authorUserID, !reached.contains(userID), preferences[userID]?.wants(kind) ?? true else { return }
            if let departmentID, directory.entry(kind: .user, id: userID)?.departmentID != departmentID { return }
            // A user no longer active is not in the directory.
            guard directory.entry(kind: .user, id: userID) != nil else { return }
            reached.insert(userID)
            recipients.append(Recipient(userID: userID, kind: kind, via: via))
        }
        for mention in mentions where mention.kind == .user { add(mention.id, .mention, via: nil) }
        for mention in mentions where mention.kind != .user {
            for userID in directory.entry(kind: mention.kind, id: mention.id)?.userIDs ?? [] { add(userID, .mention, via: mention) }
        }
        for userID in followers { add(userID, .noteOnFollowed, via: nil) }
        return recipients
    }
}
