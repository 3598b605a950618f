import RapportCore
import Testing

/// The CSV reader labelled history is imported with.
@Suite("Classifier CSV import")
struct ClassifierCSVTests {
    @Test func readsQuotedFields() throws {
        let text = "text,category\r\n\"Hello, world\",greeting\n\"She said \"\"hi\"\"\",quote\n\"two\nlines\",multi\n\nlast,\"\"\n"
        let records = try CSVReader.records(text)
        #expect(records == [["text", "category"], ["Hello, world", "greeting"], ["She said \"hi\"", "quote"],
                            ["two\nlines", "multi"], ["last", ""]])
    }

    @Test func readsWithoutFinalNewlineAndEmptyFields() throws {
        #expect(try CSVReader.records("a,,c\n,b,") == [["a", "", "c"], ["", "b", ""]])
        #expect(try CSVReader.records("退款,\"我要退款，谢谢\"") == [["退款", "我要退款，谢谢"]])
    }

    @Test func refusesBrokenQuotes() {
        #expect(throws: CSVReader.SyntaxError(line: 2, message: "a quoted field is not closed")) {
            try CSVReader.records("a,b\n\"open,c\n")
        }
        #expect(throws: CSVReader.SyntaxError(line: 1, message: "text follows a closing quote")) {
            try CSVReader.records("\"a\"b,c\n")
        }
    }
}
