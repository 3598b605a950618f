import RapportCore
import Testing

/// Reading import files a piece at a time, and setting their rows out as the API's bodies.
@Suite("Import files")
struct ImportReadingTests {
    static let csv = "\u{FEFF}name,emails,notes\r\nAna,ana@example.com,\"says \"\"hi\"\",\r\ntwice\"\r\n\r\n退款,\"a@x.com; b@x.com\",\nlast,,"

    func records(_ text: String, pieces size: Int) -> (lines: [CSVReader.Line], offsets: [Int64]) {
        let bytes = Array(text.utf8)
        var reader = CSVReader()
        var lines: [CSVReader.Line] = []
        var offsets: [Int64] = []
        var index = 0
        while true {
            let atEnd = index >= bytes.count
            while let line = reader.next(atEnd: atEnd) {
                lines.append(line)
                offsets.append(reader.offset)
            }
            if atEnd { break }
            reader.append(bytes[index..<min(index + size, bytes.count)])
            index += size
        }
        return (lines, offsets)
    }

    @Test("CSV read in pieces of any size gives the same records and offsets as read whole")
    func csvInPieces() {
        let whole = records(Self.csv, pieces: Self.csv.utf8.count)
        #expect(whole.lines == [.record(["name", "emails", "notes"]), .record(["Ana", "ana@example.com", "says \"hi\",\r\ntwice"]),
                                .record(["退款", "a@x.com; b@x.com", ""]), .record(["last", "", ""])])
        for size in 1...12 {
            let pieces = records(Self.csv, pieces: size)
            #expect(pieces.lines == whole.lines, "pieces of \(size)")
            #expect(pieces.offsets == whole.offsets, "pieces of \(size)")
        }
        #expect(whole.offsets.last == Int64(Self.csv.utf8.count))
    }

    @Test("a reader started at a stored offset reads the rest of the file")
    func resumesAtOffset() {
        let whole = records(Self.csv, pieces: 7)
        let bytes = Array(Self.csv.utf8)
        let offset = whole.offsets[1]
        var reader = CSVReader(offset: offset)
        reader.append(bytes[Int(offset)...])
        var rest: [CSVReader.Line] = []
        while let line = reader.next(atEnd: true) { rest.append(line) }
        #expect(rest == Array(whole.lines.dropFirst(2)))
    }

    @Test("a broken line is malformed, and the lines after it are read")
    func malformedLines() {
        var reader = CSVReader()
        reader.append(Array("a,\"b\"c\nd,e\n".utf8) + [0x66, 0xFF, 0x0A] + Array("g,\"open\n".utf8))
        var lines: [CSVReader.Line] = []
        while let line = reader.next(atEnd: true) { lines.append(line) }
        #expect(lines == [.malformed("text follows a closing quote"), .record(["d", "e"]), .malformed("is not UTF-8 text"),
                          .malformed("a quoted field is not closed")])
    }

    @Test("JSON Lines: objects, blank lines skipped, a bad line malformed")
    func jsonLines() {
        var reader = JSONLinesReader()
        let text = "{\"name\": \"Ana\"}\n\n[1]\n{\"name\": \"Bo\"\n{\"name\": \"Cy\"}"
        var lines: [JSONLinesReader.Line] = []
        for byte in text.utf8 {
            reader.append([byte])
            while let line = reader.next(atEnd: false) { lines.append(line) }
        }
        while let line = reader.next(atEnd: true) { lines.append(line) }
        #expect(lines.count == 4)
        #expect(lines.first == .object(["name": "Ana"]))
        #expect(lines[1] == .malformed("is array, not a JSON object"))
        if case .malformed = lines[2] {} else { Issue.record("an unclosed object is malformed: \(lines[2])") }
        #expect(lines.last == .object(["name": "Cy"]))
        #expect(reader.offset == Int64(text.utf8.count))
    }

    @Test("customer columns: lists from several columns, attributes, one address; problems name the column")
    func customerRows() throws {
        let layout = CustomerImportLayout()
        let mapping = ImportMapping(["Work": "emails", "Home": "emails", "Land": "address.country", "Skip": nil])
        let columns = ["name", "Work", "Home", "attributes.tier", "Land", "Skip", "Shoe size"]
        let row = layout.row(7, cells: ["Ana", "ana@work.example", "ana@home.example; bad", "gold", "Portugal", "x", "38"],
                             columns: columns, mapping: mapping)
        #expect(row.body["emails"] == ["ana@work.example", "ana@home.example", "bad"])
        #expect(row.body["attributes"] == ["tier": "gold"])
        #expect(row.body["addresses"] == [["country": "Portugal"]])
        #expect(row.body["Skip"] == nil && row.body["Shoe size"] == nil)
        let normalizer = try IdentityNormalizer(defaultRegion: "US")
        guard case .refused(let issues) = CustomerImportRow.read(row, normalizer: normalizer) else {
            Issue.record("a bad email and country are refused")
            return
        }
        #expect(issues.map(\.column).sorted() == ["Home", "Land"], "\(issues)")
        #expect(issues.allSatisfy { $0.row == 7 })
        #expect(layout.unknownTargets(in: ImportMapping(["A": "emails", "B": "email", "C": "attributes.ok", "D": "address.planet"])).map(\.column)
                == ["B", "D"])
    }

    @Test("an existing customer gains the row's identities and addresses; nothing is taken away")
    func patchForExisting() throws {
        let normalizer = try IdentityNormalizer(defaultRegion: "US")
        let row = CustomerImportLayout().row(1, cells: ["Ana", "ana@example.com; new@example.com"], columns: ["name", "emails"],
                                             mapping: ImportMapping())
        guard case .ready(let checked) = CustomerImportRow.read(row, normalizer: normalizer) else {
            Issue.record("the row is good")
            return
        }
        let current = Customer(id: "cus_1", kind: .person, name: "Ana", identities: [Identity(kind: .email, value: "ana@example.com"),
                                                                                     Identity(kind: .phone, value: "+14155550101")],
                               createdAt: .now(), updatedAt: .now())
        let patch = checked.patch(for: current)
        #expect(patch.emails?.map(\.value) == ["ana@example.com", "new@example.com"])
        #expect(patch.phones == nil)
        #expect(checked.patch(for: current).changes(against: current).isEmpty == false)
    }

    @Test("record cells are read as their field's kind")
    func recordCells() throws {
        let field = { (kind: FieldKind) in FieldDefinition(key: "f", label: "F", kind: kind) }
        #expect(RecordImportLayout.value("12", for: field(.number)) == .success(.integer(12)))
        #expect(RecordImportLayout.value("12.5", for: field(.percent)) == .success(.double(12.5)))
        #expect(RecordImportLayout.value("Yes", for: field(.boolean)) == .success(.bool(true)))
        #expect(RecordImportLayout.value("a; b", for: field(.multiChoice)) == .success(["a", "b"]))
        #expect(RecordImportLayout.value("twelve", for: field(.number)) == .failure("expected a number, got \"twelve\""))
    }
}
