/// The bytes of a file read so far and not yet taken as lines: more are appended as they arrive
/// (a block of a file, a part of an upload), lines are taken from the front, and the offset in the
/// whole file of the first byte not taken is known (where an interrupted import starts again).
struct FileWindow: Sendable {
    private(set) var bytes: [UInt8] = []
    /// The index in `bytes` of the first byte not taken.
    private(set) var start = 0
    /// The offset in the whole file of `bytes[start]`.
    private(set) var offset: Int64

    init(offset: Int64) {
        self.offset = offset
    }

    /// Adds the next bytes of the file; a UTF-8 byte order mark at its very start is skipped.
    mutating func append(_ more: some Sequence<UInt8>) {
        if start > 0, start >= bytes.count / 2 {
            bytes.removeSubrange(0..<start)
            start = 0
        }
        bytes.append(contentsOf: more)
        if offset == 0, start == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            start = 3
            offset = 3
        }
    }

    /// Bytes given but not yet taken.
    var pendingCount: Int { bytes.count - start }

    /// Takes the bytes before index `end` of `bytes`.
    mutating func take(upTo end: Int) {
        offset += Int64(end - start)
        start = end
    }
}
