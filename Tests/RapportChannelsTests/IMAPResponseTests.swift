import NIOCore
import NIOEmbedded
@testable import RapportChannels
import Testing

@Suite struct IMAPResponseTests {
    /// Feeds `pieces` to the decoder as separate reads and returns what it made of them.
    func decode(_ pieces: [String], maxLiteral: Int = 1_000) throws -> [IMAPResponse] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(IMAPResponseDecoder(maxLiteralLength: maxLiteral)))
        for piece in pieces { try channel.writeInbound(ByteBuffer(string: piece)) }
        var found: [IMAPResponse] = []
        while let response = try channel.readInbound(as: IMAPResponse.self) { found.append(response) }
        _ = try channel.finish()
        return found
    }

    @Test func literalsAreTakenOutOfTheirLineWhereverTheReadsSplit() throws {
        let message = "From: a@example.com\r\nSubject: hi\r\n\r\n{5}\r\nbody\r\n"
        let stream = "* 1 FETCH (UID 42 BODY[] {\(message.utf8.count)}\r\n\(message))\r\nR3 OK done\r\n"
        for size in [1, 3, 7, 64, stream.utf8.count] {
            let bytes = Array(stream.utf8)
            let pieces = stride(from: 0, to: bytes.count, by: size).map { String(decoding: bytes[$0..<min($0 + size, bytes.count)], as: UTF8.self) }
            let responses = try decode(pieces)
            #expect(responses.count == 2, "split \(size)")
            #expect(responses.first?.fetched?.uid == 42)
            #expect(responses.first?.fetched?.message == Array(message.utf8))
            #expect(responses.last?.kind == .tagged(tag: "R3", status: "OK"))
        }
    }

    @Test func statusResponsesAreRead() throws {
        let responses = try decode([
            "* OK [CAPABILITY IMAP4rev1 SASL-IR IDLE AUTH=PLAIN] Dovecot ready.\r\n",
            "* 3 EXISTS\r\n* OK [UIDVALIDITY 1796315359] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n",
            "* OK [PERMANENTFLAGS (\\Answered \\Seen \\*)] Flags permitted.\r\n* SEARCH 2 3 7\r\n+ idling\r\n",
            "* 2 FETCH (FLAGS (\\Seen) UID 9)\r\n",
        ])
        #expect(responses[0].capabilities == ["IMAP4REV1", "SASL-IR", "IDLE", "AUTH=PLAIN"])
        #expect(responses[1].exists == 3)
        #expect(responses[2].codeNumber("UIDVALIDITY") == 1_796_315_359)
        #expect(responses[3].codeNumber("UIDNEXT") == 4)
        #expect(responses[4].responseCode?.contains("\\*") == true)
        #expect(responses[5].searchResults == [2, 3, 7])
        #expect(responses[6].kind == .continuation)
        #expect(responses[7].fetched?.uid == 9)
        #expect(responses[7].fetched?.message == nil)
        #expect(responses[1].kind == .untagged)
    }

    @Test func aLiteralOverTheLimitIsRefused() {
        #expect(throws: (any Error).self) { _ = try decode(["* 1 FETCH (UID 1 BODY[] {5000}\r\n"], maxLiteral: 100) }
        #expect(IMAPResponseDecoder.literalLength(atEndOf: Array("a {12}".utf8)) == 12)
        #expect(IMAPResponseDecoder.literalLength(atEndOf: Array("a {12+}".utf8)) == 12)
        #expect(IMAPResponseDecoder.literalLength(atEndOf: Array("a {x}".utf8)) == nil)
        #expect(IMAPResponseDecoder.literalLength(atEndOf: Array("a }".utf8)) == nil)
    }

    @Test func stringsAreQuotedOrRefused() throws {
        #expect(try IMAPSession.quoted("INBOX") == "\"INBOX\"")
        #expect(try IMAPSession.quoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(throws: IMAPError.self) { try IMAPSession.quoted("pass\r\nA1 LOGOUT") }
        #expect(throws: IMAPError.self) { try IMAPSession.quoted("收件箱") }
    }
}
