/// Decides which conversation an interaction belongs to: pure, so every channel threads alike.
///
/// A thread key the channel provides (an email thread, a chat session id in the interaction's
/// `metadata.thread_id`) wins: same key on the same channel, same conversation, however old.
/// Without one, the customer's newest unresolved conversation on that channel takes it when its
/// last interaction is within the window; otherwise a new conversation opens.
public struct ConversationThreading: Sendable, Equatable {
    /// How long a quiet conversation still takes new interactions without a thread key.
    public var window: Duration

    public init(window: Duration = .seconds(24 * 3_600)) {
        self.window = window
    }

    /// The interaction kinds that are contact with a person; page views, purchases and notes are
    /// activity on the timeline, not conversation.
    public static let conversationalKinds: Set<InteractionKind> = [.message, .email, .call, .meeting, .visit, .formSubmission, .review]

    /// What to do with one interaction.
    public enum Placement: Sendable, Equatable {
        /// Add it to this conversation.
        case join(String)
        /// Open a new conversation with this thread key.
        case open(threadKey: String?)
        /// Not a conversational interaction.
        case none
    }

    /// The thread key an interaction carries, if any: `metadata.thread_id` (or `conversation_key`).
    public static func threadKey(of interaction: Interaction) -> String? {
        for key in ["thread_id", "conversation_key"] {
            if case .string(let text)? = interaction.metadata[key], !text.isEmpty { return String(text.prefix(300)) }
        }
        return nil
    }

    /// Places `interaction` given the customer's conversations on its channel (`candidates`, any order).
    public func place(_ interaction: Interaction, candidates: [Conversation]) -> Placement {
        guard Self.conversationalKinds.contains(interaction.kind) else { return .none }
        let onChannel = candidates.filter { $0.channelID == interaction.channelID && $0.customerID == interaction.customerID }
        if let key = Self.threadKey(of: interaction) {
            if let same = onChannel.filter({ $0.threadKey == key }).max(by: { $0.createdAt < $1.createdAt }) {
                return .join(same.id)
            }
            return .open(threadKey: key)
        }
        let windowMicros = window.components.seconds * 1_000_000 + window.components.attoseconds / 1_000_000_000_000
        let recent = onChannel
            .filter { $0.isActive && $0.threadKey == nil }
            .filter { interaction.occurredAt.microseconds - $0.lastInteractionAt.microseconds <= windowMicros }
            .max { $0.lastInteractionAt < $1.lastInteractionAt }
        if let recent { return .join(recent.id) }
        return .open(threadKey: nil)
    }
}
