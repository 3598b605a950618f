import NIOCore

/// A content header frame's payload: which class the content belongs to, the body size, and the properties.
struct AMQPContentHeader: Sendable, Hashable {
    /// 60 (basic) for every message this client handles.
    var classID: UInt16
    var bodySize: UInt64
    var properties: AMQPBasicProperties

    init(classID: UInt16 = 60, bodySize: UInt64, properties: AMQPBasicProperties) {
        self.classID = classID
        self.bodySize = bodySize
        self.properties = properties
    }
}

extension ByteBuffer {
    mutating func writeContentHeader(_ header: AMQPContentHeader) throws {
        writeInteger(header.classID)
        writeInteger(UInt16(0))  // weight: unused, must be zero
        writeInteger(header.bodySize)
        try writeBasicProperties(header.properties)
    }

    mutating func readContentHeader() throws -> AMQPContentHeader {
        let classID = try readAMQPInteger(as: UInt16.self)
        _ = try readAMQPInteger(as: UInt16.self)
        let bodySize = try readAMQPInteger(as: UInt64.self)
        return AMQPContentHeader(classID: classID, bodySize: bodySize, properties: try readBasicProperties())
    }
}
