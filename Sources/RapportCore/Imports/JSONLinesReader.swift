/// Reads JSON Lines a piece at a time: one JSON object per line, blank lines skipped, each line
/// given with the byte offset just past it (where an interrupted import starts again).
public struct JSONLinesReader: Sendable {
    public enum Line: Sendable, Equatable {
        case object(JSONObject)
        case malformed(String)
    }

    private var window: FileWindow
    public var offset: Int64 { window.offset }

    public init(offset: Int64 = 0) {
        window = FileWindow(offset: offset)
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        window.append(bytes)
    }

    public var pendingBytes: Int { window.pendingCount }

    public mutating func next(atEnd: Bool) -> Line? {
        while window.pendingCount > 0 {
            let (buffer, start) = (window.bytes, window.start)
            let end: Int
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                end = newline
            } else if atEnd {
                end = buffer.count
            } else {
                return nil
            }
            let line = buffer[start..<end]
            window.take(upTo: min(end + 1, buffer.count))
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let value = try JSONParser.parse(line)
                guard let object = value.objectValue else { return .malformed("is \(value.typeName), not a JSON object") }
                return .object(object)
            } catch {
                return .malformed("is not valid JSON: \(error.reason)")
            }
        }
        return nil
    }
}
