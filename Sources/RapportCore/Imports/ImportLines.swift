/// The lines of an import file whatever its format: CSV records or JSON Lines objects, with the
/// byte offset just past the last line given out.
public struct ImportLines: Sendable {
    public enum Line: Sendable, Equatable {
        case cells([String])
        case object(JSONObject)
        case malformed(String)
    }

    private var csv: CSVReader?
    private var jsonLines: JSONLinesReader?

    public init(format: ImportFormat, offset: Int64) {
        switch format {
        case .csv: csv = CSVReader(offset: offset)
        case .jsonl: jsonLines = JSONLinesReader(offset: offset)
        }
    }

    public var offset: Int64 { csv?.offset ?? jsonLines?.offset ?? 0 }
    public var pendingBytes: Int { csv?.pendingBytes ?? jsonLines?.pendingBytes ?? 0 }

    public mutating func append(_ bytes: [UInt8]) {
        csv?.append(bytes)
        jsonLines?.append(bytes)
    }

    public mutating func next(atEnd: Bool) -> Line? {
        if csv != nil {
            switch csv!.next(atEnd: atEnd) {
            case .record(let cells): return .cells(cells)
            case .malformed(let reason): return .malformed(reason)
            case nil: return nil
            }
        }
        switch jsonLines?.next(atEnd: atEnd) {
        case .object(let object): return .object(object)
        case .malformed(let reason): return .malformed(reason)
        case nil: return nil
        }
    }
}
