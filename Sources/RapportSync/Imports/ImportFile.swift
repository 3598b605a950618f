import Foundation
import RapportStore

/// Where a job's bytes are read from, from any offset (an interrupted import goes on mid-file).
public protocol ImportFile: Sendable {
    func bytes(from offset: Int64, maxBytes: Int) async throws -> [UInt8]
}

/// A file uploaded into the database: any node may run its job.
struct UploadedImportFile: ImportFile {
    let imports: any ImportStore
    let jobID: String

    func bytes(from offset: Int64, maxBytes: Int) async throws -> [UInt8] {
        try await imports.fileBytes(of: jobID, from: offset, maxBytes: maxBytes)
    }
}

/// A file on this machine, read by `rapport import`.
public struct LocalImportFile: ImportFile {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func bytes(from offset: Int64, maxBytes: Int) async throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        return Array(try handle.read(upToCount: maxBytes) ?? Data())
    }

    public var size: Int64 {
        get throws { Int64((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0) }
    }

    /// Recognizes the same file when an interrupted import is run again: its size and a hash of its
    /// first mebibyte (FNV-1a; not a security check, a name for "this file").
    public func fingerprint() async throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in try await bytes(from: 0, maxBytes: 1 << 20) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\(try size)-\(String(hash, radix: 16))"
    }
}
