/// Which of the writer's writes to its write-ahead log reach the file at once, and which wait in
/// memory to reach it together with the rest of their commit.
///
/// SQLite writes each frame of a commit with two calls — its 24-byte header, then its page — so a
/// group commit of 300 pages costs 600 system calls, each with the kernel's per-call and per-page
/// work. The frames of one commit are written one after another at increasing offsets; held in a
/// buffer, they reach the file in one write. Pure: the VFS (`WALAppendVFS`) copies and writes what
/// this decides.
///
/// What keeps it safe:
/// - **Nothing held outlives its commit.** The header of a commit's last frame (the only frame
///   header whose "database size" field is set) is written at once with everything held before
///   it, and so is the page after it; SQLite makes a commit visible to readers (in the WAL index)
///   only after both writes returned, so a reader never finds a committed frame missing from the
///   file, and a process killed after `COMMIT` returned has lost nothing.
/// - **Only appends are held.** A write that does not continue what is held (a rewritten
///   checksum, the log's header when it starts again, frames after a rollback) sends what is
///   held first and then goes to the file itself, so the file sees the writes in their order.
/// - **Every other use of the file** (a read, a sync, its size, a truncation, a lock, closing it)
///   sends what is held first: `release()`.
struct WALAppendPlan: Sendable {
    /// Bytes held at most; a commit larger than that goes out in several writes.
    let capacity: Int
    /// What is held: its offset in the file and length.
    private(set) var held: Extent?
    /// The previous write was a commit's last frame header: its page goes straight to the file.
    private var afterCommitHeader = false

    struct Extent: Equatable, Sendable {
        var offset: Int64
        var count: Int
    }

    enum Action: Equatable, Sendable {
        /// Copy the bytes into the buffer at this position; nothing reaches the file yet.
        case hold(bufferPosition: Int)
        /// Write the buffer's first `flushing.count` bytes at `flushing.offset` (when set), then
        /// this write itself.
        case write(flushing: Extent?)
    }

    /// The size of a WAL frame's header.
    static let frameHeaderSize = 24

    init(capacity: Int) {
        precondition(capacity > 0, "a WAL append buffer holds at least one byte")
        self.capacity = capacity
    }

    /// Whether `bytes`, written as they are, are the header of a commit's last frame: a frame
    /// header whose second big-endian word (the database's size after the commit) is not zero.
    static func isCommitFrameHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count == frameHeaderSize && (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0
    }

    /// What to do with `count` bytes written at `offset`.
    mutating func write(count: Int, at offset: Int64, commitFrameHeader: Bool) -> Action {
        if commitFrameHeader || afterCommitHeader {
            afterCommitHeader = commitFrameHeader
            return .write(flushing: release())
        }
        if let held, held.offset + Int64(held.count) == offset, held.count + count <= capacity {
            self.held = Extent(offset: held.offset, count: held.count + count)
            return .hold(bufferPosition: held.count)
        }
        if held == nil, count <= capacity {
            held = Extent(offset: offset, count: count)
            return .hold(bufferPosition: 0)
        }
        return .write(flushing: release())
    }

    /// What is held, to be written before the file is used otherwise; nothing is held after.
    mutating func release() -> Extent? {
        defer { held = nil }
        return held
    }
}
