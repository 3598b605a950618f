import Foundation
import VaporCSQLite

/// The writer's SQLite VFS: the platform's own in everything, except that the write-ahead log's
/// writes of one commit reach the file together (`WALAppendPlan` decides; this only copies and
/// writes).
///
/// Registered once per process under `name`; only the writer's connection opens with it. Its
/// files are the platform VFS's files behind a header of two pointers: `sqlite3_file`'s methods
/// and the log's buffer state. Files other than a write-ahead log are the platform's files as
/// they are, at the start of the space SQLite gives the file.
enum WALAppendVFS {
    static let name = "rapport-wal-append"

    /// Bytes of a commit held before they are written (~1,000 pages; a group commit writes ~300).
    static let bufferCapacity = 4 << 20

    /// Registers the VFS (once) and returns its name, or throws why SQLite would not have it.
    static func registered() throws -> String {
        try registration.get()
        return name
    }

    private static let registration: Result<Void, SQLiteFailure> = {
        guard let platform = sqlite_nio_sqlite3_vfs_find(nil) else {
            return .failure(SQLiteFailure(code: SQLITE_ERROR, message: "SQLite has no default VFS"))
        }
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: platform.pointee)
        vfs.pointee.szOsFile = Int32(fileHeaderSize) + platform.pointee.szOsFile
        vfs.pointee.zName = UnsafePointer(strdup(name))
        vfs.pointee.pAppData = UnsafeMutableRawPointer(platform)
        vfs.pointee.pNext = nil
        vfs.pointee.xOpen = open
        let registered = sqlite_nio_sqlite3_vfs_register(vfs, 0)
        guard registered == SQLITE_OK else {
            return .failure(SQLiteFailure(code: registered, message: "cannot register the \(name) VFS"))
        }
        return .success(())
    }()

    /// Ahead of the platform's file: the methods pointer `sqlite3_file` is, then the state's.
    private static let fileHeaderSize = 2 * MemoryLayout<UnsafeRawPointer>.stride

    /// The buffer of one open write-ahead log.
    struct LogState {
        var plan: WALAppendPlan
        let buffer: UnsafeMutableRawPointer
        /// Writes SQLite asked for, and writes that reached the platform's file.
        var counts = WriteCounts()
    }

    struct WriteCounts: Equatable, Sendable {
        var asked = 0
        var written = 0
    }

    /// How many writes to its log the connection `handle` asked for and how many reached the
    /// file, when its log is open through this VFS.
    static func counts(ofLogOf handle: OpaquePointer) -> WriteCounts? {
        var journal: UnsafeMutableRawPointer?
        guard sqlite_nio_sqlite3_file_control(handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK,
              let file = journal?.assumingMemoryBound(to: sqlite3_file.self),
              file.pointee.pMethods == UnsafePointer(logMethods) else { return nil }
        return state(file).pointee.counts
    }

    private static let open: @convention(c) (UnsafeMutablePointer<sqlite3_vfs>?, sqlite3_filename?, UnsafeMutablePointer<sqlite3_file>?,
                                             Int32, UnsafeMutablePointer<Int32>?) -> Int32 = { vfs, name, file, flags, outFlags in
        guard let vfs, let file, let platform = vfs.pointee.pAppData?.assumingMemoryBound(to: sqlite3_vfs.self),
              let platformOpen = platform.pointee.xOpen else { return SQLITE_MISUSE }
        // Anything but the log: the platform's file, where SQLite put this one.
        guard flags & SQLITE_OPEN_WAL != 0 else { return platformOpen(platform, name, file, flags, outFlags) }
        let opened = platformOpen(platform, name, inner(file), flags, outFlags)
        guard opened == SQLITE_OK else {
            file.pointee.pMethods = nil
            return opened
        }
        let state = UnsafeMutablePointer<LogState>.allocate(capacity: 1)
        state.initialize(to: LogState(plan: WALAppendPlan(capacity: bufferCapacity),
                                      buffer: UnsafeMutableRawPointer.allocate(byteCount: bufferCapacity, alignment: 16)))
        (UnsafeMutableRawPointer(file) + MemoryLayout<UnsafeRawPointer>.stride).storeBytes(of: UnsafeRawPointer(state), as: UnsafeRawPointer.self)
        file.pointee.pMethods = UnsafePointer(logMethods)
        return SQLITE_OK
    }

    /// The platform's file behind one of the log's.
    private static func inner(_ file: UnsafeMutablePointer<sqlite3_file>) -> UnsafeMutablePointer<sqlite3_file> {
        (UnsafeMutableRawPointer(file) + fileHeaderSize).assumingMemoryBound(to: sqlite3_file.self)
    }

    private static func state(_ file: UnsafeMutablePointer<sqlite3_file>) -> UnsafeMutablePointer<LogState> {
        (UnsafeMutableRawPointer(file) + MemoryLayout<UnsafeRawPointer>.stride)
            .load(as: UnsafeMutableRawPointer.self).assumingMemoryBound(to: LogState.self)
    }

    private static func methods(_ file: UnsafeMutablePointer<sqlite3_file>) -> sqlite3_io_methods {
        inner(file).pointee.pMethods!.pointee
    }

    /// Writes what the log holds, before the file is used for anything else.
    private static func flush(_ file: UnsafeMutablePointer<sqlite3_file>) -> Int32 {
        let log = state(file)
        guard let held = log.pointee.plan.release() else { return SQLITE_OK }
        return write(held, of: log, to: file)
    }

    /// Sends what the log holds, then hands the call to the platform's file: every use of the
    /// file other than a write finds it holding everything written before.
    private static func afterFlush(_ file: UnsafeMutablePointer<sqlite3_file>?,
                                   _ forward: (sqlite3_io_methods, UnsafeMutablePointer<sqlite3_file>) -> Int32) -> Int32 {
        guard let file else { return SQLITE_MISUSE }
        let flushed = flush(file)
        guard flushed == SQLITE_OK else { return flushed }
        return forward(methods(file), inner(file))
    }

    /// The most the platform's file writes in one call: the unix VFS keeps only the low 17 bits of
    /// a write's length (`seekAndWriteFd`), so the held bytes go in parts of whole pages below that.
    static let platformWriteLimit = 0x1_F000

    /// Writes the held bytes `held` describes, in parts of at most `platformWriteLimit`.
    private static func write(_ held: WALAppendPlan.Extent, of log: UnsafeMutablePointer<LogState>,
                              to file: UnsafeMutablePointer<sqlite3_file>) -> Int32 {
        let write = methods(file).xWrite!
        var done = 0
        while done < held.count {
            let part = min(platformWriteLimit, held.count - done)
            log.pointee.counts.written += 1
            let written = write(inner(file), log.pointee.buffer + done, Int32(part), held.offset + Int64(done))
            guard written == SQLITE_OK else { return written }
            done += part
        }
        return SQLITE_OK
    }

    /// The methods of every open log; written once, before any file uses them, and only read after.
    nonisolated(unsafe) private static let logMethods: UnsafeMutablePointer<sqlite3_io_methods> = {
        let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        methods.initialize(to: sqlite3_io_methods(
            iVersion: 3,
            xClose: { file in
                guard let file else { return SQLITE_MISUSE }
                let flushed = flush(file)
                let closed = WALAppendVFS.methods(file).xClose!(inner(file))
                let log = state(file)
                log.pointee.buffer.deallocate()
                log.deinitialize(count: 1)
                log.deallocate()
                file.pointee.pMethods = nil
                return flushed != SQLITE_OK ? flushed : closed
            },
            xRead: { file, buffer, count, offset in
                afterFlush(file) { $0.xRead!($1, buffer, count, offset) }
            },
            xWrite: { file, bytes, count, offset in
                guard let file, let bytes else { return SQLITE_MISUSE }
                let log = state(file)
                log.pointee.counts.asked += 1
                let commitFrameHeader = WALAppendPlan.isCommitFrameHeader(UnsafeRawBufferPointer(start: bytes, count: Int(count)))
                switch log.pointee.plan.write(count: Int(count), at: offset, commitFrameHeader: commitFrameHeader) {
                case .hold(let position):
                    (log.pointee.buffer + position).copyMemory(from: bytes, byteCount: Int(count))
                    return SQLITE_OK
                case .write(let flushing):
                    if let flushing {
                        let flushed = write(flushing, of: log, to: file)
                        guard flushed == SQLITE_OK else { return flushed }
                    }
                    log.pointee.counts.written += 1
                    return WALAppendVFS.methods(file).xWrite!(inner(file), bytes, count, offset)
                }
            },
            xTruncate: { file, size in
                afterFlush(file) { $0.xTruncate!($1, size) }
            },
            xSync: { file, flags in
                afterFlush(file) { $0.xSync!($1, flags) }
            },
            xFileSize: { file, size in
                afterFlush(file) { $0.xFileSize!($1, size) }
            },
            xLock: { file, level in
                afterFlush(file) { $0.xLock!($1, level) }
            },
            xUnlock: { file, level in
                afterFlush(file) { $0.xUnlock!($1, level) }
            },
            xCheckReservedLock: { file, result in
                guard let file else { return SQLITE_MISUSE }
                return WALAppendVFS.methods(file).xCheckReservedLock!(inner(file), result)
            },
            xFileControl: { file, operation, argument in
                afterFlush(file) { $0.xFileControl!($1, operation, argument) }
            },
            xSectorSize: { file in
                guard let file else { return 0 }
                return WALAppendVFS.methods(file).xSectorSize!(inner(file))
            },
            xDeviceCharacteristics: { file in
                guard let file else { return 0 }
                return WALAppendVFS.methods(file).xDeviceCharacteristics!(inner(file))
            },
            // A log is never shared memory nor mapped; were it asked, the platform's file answers.
            xShmMap: { file, page, size, extend, region in
                guard let file, let map = WALAppendVFS.methods(file).xShmMap else { return SQLITE_IOERR }
                return map(inner(file), page, size, extend, region)
            },
            xShmLock: { file, offset, count, flags in
                guard let file, let lock = WALAppendVFS.methods(file).xShmLock else { return SQLITE_IOERR }
                return lock(inner(file), offset, count, flags)
            },
            xShmBarrier: { file in
                guard let file, let barrier = WALAppendVFS.methods(file).xShmBarrier else { return }
                barrier(inner(file))
            },
            xShmUnmap: { file, delete in
                guard let file, let unmap = WALAppendVFS.methods(file).xShmUnmap else { return SQLITE_OK }
                return unmap(inner(file), delete)
            },
            xFetch: { file, offset, count, pointer in
                pointer?.pointee = nil
                return afterFlush(file) { $0.xFetch?($1, offset, count, pointer) ?? SQLITE_OK }
            },
            xUnfetch: { file, offset, pointer in
                guard let file, let unfetch = WALAppendVFS.methods(file).xUnfetch else { return SQLITE_OK }
                return unfetch(inner(file), offset, pointer)
            }))
        return methods
    }()
}
