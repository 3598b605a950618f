import RapportCore
import Testing

/// The stored form of a model: it reads back to the same predictions and refuses damaged bytes.
@Suite("Classifier encoding")
struct ClassifierEncodingTests {
    @Test func roundTripKeepsPredictions() throws {
        let classifier = try TextClassifier.train(ClassifierTrainingTests.english + ClassifierTrainingTests.chinese)
        let bytes = classifier.encoded()
        #expect(Array(bytes.prefix(4)) == Array("RPTC".utf8))
        let restored = try TextClassifier(encoded: bytes)
        #expect(restored.labels == classifier.labels)
        #expect(restored.options == classifier.options)
        #expect(restored.temperature == classifier.temperature)
        let reencoded = restored.encoded() == bytes
        #expect(reencoded)
        for text in ["where is my parcel", "我要退款", "password", "", "ＰＡＲＣＥＬ late"] {
            #expect(restored.predict(text) == classifier.predict(text))
        }
    }

    @Test func refusesDamagedOrForeignBytes() throws {
        let bytes = try TextClassifier.train(ClassifierTrainingTests.english).encoded()
        func code(_ bytes: [UInt8]) -> ClassifierError.Code? {
            do {
                _ = try TextClassifier(encoded: bytes)
                return nil
            } catch {
                return error.code
            }
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(code(flipped) == .corruptModel)
        #expect(code(Array(bytes.dropLast(9))) == .corruptModel)
        #expect(code([]) == .corruptModel)
        #expect(code(Array("{\"format\":\"rapport.match_model.v1\"}".utf8)) == .corruptModel)

        // A well-formed blob from a future format version is refused as such, not as damage.
        var future = Array(bytes.dropLast(8))
        future[4] = 0xFF
        var checksum: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in future { checksum = (checksum ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        withUnsafeBytes(of: checksum.littleEndian) { future.append(contentsOf: $0) }
        #expect(code(future) == .unsupportedVersion)
    }
}
