import Foundation

/// A type's records written out for other programs: CSV (RFC 4180, a header row, one column per
/// part of a field — money as `<key>.amount` and `<key>.currency`, lists joined by `;`) or JSON
/// Lines (one record's JSON per line).
public enum RecordExport {
    public typealias Format = ExportFormat

    /// The CSV header's columns for `type` (retired fields too: what records hold is exported).
    public static func columns(of type: RecordType) -> [String] {
        var columns = ["id", "customer_id"]
        if !type.stages.isEmpty { columns += ["stage", "stage_entered_at"] }
        for field in type.fields {
            if field.kind == .money { columns += ["\(field.key).amount", "\(field.key).currency"] } else { columns.append(field.key) }
        }
        return columns + ["created_at", "updated_at", "version"]
    }

    public static func header(of type: RecordType) -> String {
        line(columns(of: type))
    }

    /// One record's CSV row, in `columns(of:)`'s order.
    public static func row(_ record: BusinessRecord, of type: RecordType) -> String {
        var cells = [record.id, record.customerID ?? ""]
        if !type.stages.isEmpty { cells += [record.stage ?? "", record.stageEnteredAt?.rfc3339 ?? ""] }
        for field in type.fields {
            let value = record.fields[field.key] ?? .null
            if field.kind == .money {
                let money = value.objectValue
                cells += [money?["amount"]?.stringValue ?? "", money?["currency"]?.stringValue ?? ""]
            } else {
                cells.append(CSVLine.text(value))
            }
        }
        cells += [record.createdAt.rfc3339, record.updatedAt.rfc3339, String(record.version)]
        return line(cells)
    }

    /// One record's JSON Lines line.
    public static func jsonLine(_ record: BusinessRecord) -> String {
        record.json.jsonString + "\n"
    }

    static func line(_ cells: [String]) -> String { CSVLine.make(cells) }
}
