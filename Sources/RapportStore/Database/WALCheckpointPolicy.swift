/// When a SQLite store's write-ahead log is copied back into the database (a checkpoint), decided
/// from the log's length after each commit. Pure: `WALCheckpointer` performs what it decides.
///
/// A checkpoint copies pages and syncs the database file. Left to SQLite, it runs on the writer's
/// thread after the commit that crosses the threshold, and every group commit queued behind it
/// waits for the copy and the sync. Here a checkpointer with a connection and thread of its own
/// does it while the writer goes on; the writer checkpoints itself only when the log has grown
/// far past the threshold, which bounds the log when the checkpointer cannot keep up.
///
/// SQLite starts the log again from its beginning at the first write after a checkpoint that
/// copied all of it. While the writer is busy, a checkpoint running beside it rarely finishes
/// with nothing new behind it, so the log can keep growing: the checkpointer then copies each
/// further `step` of frames, and the writer's own checkpoint at `inline` copies only what is left.
struct WALCheckpointPolicy: Sendable, Equatable {
    /// The log's length (frames, a page each) at which the checkpointer starts copying back.
    var background: Int
    /// How many frames the log grows by, while it has not started again, before the next copy.
    var step: Int
    /// The log's length at which the writer checkpoints itself, as SQLite's default would.
    var inline: Int

    /// 16,000 frames (64 MB of 4 KB pages) before the first copy: a page that many group commits
    /// rewrite (an index's few hot pages, a table's last) is copied once. The writer steps in at
    /// 48,000 (192 MB).
    static let standard = WALCheckpointPolicy(background: 16_000, step: 4_000, inline: 48_000)

    enum Decision: Equatable {
        case none
        /// Start a checkpoint on the checkpointer's thread.
        case background
        /// Checkpoint now, on the writer's thread.
        case inline
    }

    /// What the policy remembers between commits.
    struct State: Sendable, Equatable {
        /// The log's length when the last background checkpoint was asked for (0: none since it started again).
        var askedAt = 0
        /// The log's length at the last commit: a shorter one means it started again.
        var lastLength = 0
        /// Whether a background checkpoint is running.
        var running = false
    }

    /// What to do after a commit that left the log `length` frames long.
    func decide(length: Int, state: inout State) -> Decision {
        if length < state.lastLength { state.askedAt = 0 }
        state.lastLength = length
        if length >= inline { return .inline }
        guard !state.running, length >= background, length - state.askedAt >= step else { return .none }
        state.running = true
        state.askedAt = length
        return .background
    }

    /// Records that the background checkpoint ended.
    func finished(state: inout State) {
        state.running = false
    }
}
