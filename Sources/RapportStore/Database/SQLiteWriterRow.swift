import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite

/// A row the writer's connection read: its values, decoded as SQLiteKit decodes them.
struct SQLiteWriterRow: SQLRow {
    let columns: SQLiteColumns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.index[column] else { return true }
        return values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.index[column] else {
            throw DecodingError.keyNotFound(ColumnKey(stringValue: column), .init(codingPath: [], debugDescription: "no column \(column)"))
        }
        // The common cases without the decoder's protocol lookups; the same values it gives.
        switch values[offset] {
        case .text(let text) where D.self == String.self || D.self == String?.self: return text as! D
        case .integer(let number) where D.self == Int64.self || D.self == Int64?.self: return Int64(number) as! D
        case .integer(let number) where D.self == Int.self || D.self == Int?.self: return number as! D
        case .float(let number) where D.self == Double.self || D.self == Double?.self: return number as! D
        case .null where D.self == String?.self: return String?.none as! D
        case .null where D.self == Int64?.self: return Int64?.none as! D
        case .null where D.self == Int?.self: return Int?.none as! D
        case .null where D.self == Double?.self: return Double?.none as! D
        default: return try SQLiteDataDecoder().decode(D.self, from: values[offset])
        }
    }

    /// The values of the row `statement` stands on.
    static func values(of statement: OpaquePointer, count: Int) -> [SQLiteData] {
        var values: [SQLiteData] = []
        values.reserveCapacity(count)
        for offset in 0..<Int32(count) {
            switch sqlite_nio_sqlite3_column_type(statement, offset) {
            case SQLITE_INTEGER:
                values.append(.integer(Int(sqlite_nio_sqlite3_column_int64(statement, offset))))
            case SQLITE_FLOAT:
                values.append(.float(sqlite_nio_sqlite3_column_double(statement, offset)))
            case SQLITE_TEXT:
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, offset))
                let text = sqlite_nio_sqlite3_column_text(statement, offset)
                values.append(.text(text.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""))
            case SQLITE_BLOB:
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, offset))
                var buffer = ByteBufferAllocator().buffer(capacity: length)
                if let bytes = sqlite_nio_sqlite3_column_blob(statement, offset) {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
                }
                values.append(.blob(buffer))
            default:
                values.append(.null)
            }
        }
        return values
    }

    private struct ColumnKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Binds a statement's parameters as SQLiteKit's encoder would encode them.
enum SQLiteBind {
    /// SQLite copies the bytes it is given before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func bind(_ value: any Encodable & Sendable, at index: Int32, in statement: OpaquePointer) throws -> Int32 {
        // The common cases without the encoder's protocol lookups.
        if let text = value as? String { return bind(text, at: index, in: statement) }
        if let number = value as? Int { return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number)) }
        if let number = value as? Int64 { return sqlite_nio_sqlite3_bind_int64(statement, index, number) }
        if let text = value as? String? {
            return text.map { bind($0, at: index, in: statement) } ?? sqlite_nio_sqlite3_bind_null(statement, index)
        }
        if let number = value as? Int64? {
            return number.map { sqlite_nio_sqlite3_bind_int64(statement, index, $0) } ?? sqlite_nio_sqlite3_bind_null(statement, index)
        }
        switch try SQLiteDataEncoder().encode(value) {
        case .text(let text): return bind(text, at: index, in: statement)
        case .integer(let number): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case .float(let number): return sqlite_nio_sqlite3_bind_double(statement, index, number)
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        case .blob(let bytes):
            return bytes.withUnsafeReadableBytes {
                guard let start = $0.baseAddress, !$0.isEmpty else { return sqlite_nio_sqlite3_bind_zeroblob(statement, index, 0) }
                return sqlite_nio_sqlite3_bind_blob64(statement, index, start, UInt64($0.count), transient)
            }
        }
    }

    private static func bind(_ text: String, at index: Int32, in statement: OpaquePointer) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            // An empty buffer may have no address, which SQLite would take for NULL.
            guard let start = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite_nio_sqlite3_bind_text64(statement, index, "", 0, transient, UInt8(SQLITE_UTF8))
            }
            return start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite_nio_sqlite3_bind_text64(statement, index, $0, UInt64(bytes.count), transient, UInt8(SQLITE_UTF8))
            }
        }
    }
}
