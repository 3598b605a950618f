import Foundation
import Testing

/// SQL carries values only as bound parameters. A value spliced into SQL text (inside quotes, or
/// through a `SQLQueryString` built from a computed `String`) is an injection waiting for an input
/// that is not as tame as today's; this reads the store's sources and names any such place.
@Suite("Store: SQL binds its values")
struct BoundSQLTests {
    static var storeSources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RapportStore")
    }

    /// Text that is SQL written in this codebase, not values: migration statements and pragmas.
    static let sqlText: Set<String> = ["SQLQueryString(statement)", "SQLQueryString(pragma)"]

    @Test("no value is interpolated inside quotes, and no SQL is made from a computed string")
    func noSplicedValues() throws {
        let files = FileManager.default.enumerator(at: Self.storeSources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(files.count > 20, "the store's sources were not found at \(Self.storeSources.path)")
        var findings: [String] = []
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            for (number, line) in lines.enumerated() {
                let code = line.components(separatedBy: "//").first ?? line
                // '\(x)' puts a value between SQL quotes; SQLQueryString(someString) turns text into SQL.
                let madeFromText = code.range(of: #"SQLQueryString\((?!")[^)]*\)"#, options: .regularExpression)
                    .map { !Self.sqlText.contains(String(code[$0])) } ?? false
                if code.contains("'\\(") || madeFromText {
                    findings.append("\(file.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(findings.isEmpty, "values spliced into SQL:\n\(findings.joined(separator: "\n"))")
    }
}
