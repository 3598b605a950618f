/// Reads JSON Lines a piece at a time: one JSON object per line, blank lines skipped, each line
/// given with the byte offset just past it (where an interrupted import starts again).
public struct JSONLinesReader: Sendable {
    public enum Line: Sendable, Equatable {
        case object(JSONObject)
        case malformed(String)
    }

    private var buffer: [UInt8] = []
    private var start = 0
    public private(set) var offset: Int64

    public init(offset: Int64 = 0) {
        self.offset = offset
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
        if offset == 0, start == 0, buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
            start = 3
            offset = 3
        }
    }

    public var pendingBytes: Int { buffer.count - start }

    public mutating func next(atEnd: Bool) -> Line? {
        while start < buffer.count {
            let end: Int
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                end = newline
            } else if atEnd {
                end = buffer.count
            } else {
                return nil
            }
            let line = buffer[start..<end]
            let next = min(end + 1, buffer.count)
            offset += Int64(next - start)
            start = next
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
