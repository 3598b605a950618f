import Foundation
import RapportCore

/// The banking77 intent dataset (shipped beside the project in `shared/datasets/banking77`):
/// 10,003 training and 3,080 test messages, each labelled with one of 77 intents.
enum Banking77Dataset {
    /// `RAPPORT_BANKING77_DIR`, or `shared/datasets/banking77` beside the repository.
    static let directory: URL = {
        if let configured = ProcessInfo.processInfo.environment["RAPPORT_BANKING77_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let repositoryRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets/banking77")
    }()

    static var isAvailable: Bool {
        let present = ["train.csv", "test.csv"].allSatisfy {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        if !present {
            print("banking77 not found in \(directory.path) (set RAPPORT_BANKING77_DIR); skipping the banking77 accuracy test")
        }
        return present
    }

    /// Reads `train.csv` or `test.csv` (columns `text,category`).
    static func load(_ name: String) throws -> [LabelledText] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        let records = try CSVReader.records(text)
        guard let header = records.first, let textColumn = header.firstIndex(of: "text"),
              let labelColumn = header.firstIndex(of: "category") else { return [] }
        return records.dropFirst().compactMap { record in
            guard record.count > max(textColumn, labelColumn) else { return nil }
            return LabelledText(text: record[textColumn], label: record[labelColumn])
        }
    }
}
