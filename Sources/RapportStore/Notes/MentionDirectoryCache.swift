import RapportCore
import Synchronization

/// The mention directory as last read, with the directory generation it was read at: a note
/// that mentions someone reads the generation (one row) instead of every user, department and
/// queue, and reads them again only when the generation has changed.
final class MentionDirectoryCache: Sendable {
    private let kept = Mutex<(generation: Int64, directory: MentionDirectory)?>(nil)

    func directory(at generation: Int64) -> MentionDirectory? {
        kept.withLock { kept in kept.flatMap { $0.generation == generation ? $0.directory : nil } }
    }

    func keep(_ directory: MentionDirectory, at generation: Int64) {
        kept.withLock { $0 = (generation, directory) }
    }
}
