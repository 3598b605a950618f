import HTTPTypes
import Hummingbird
import RapportCore

/// An export streamed page by page as an attachment: the CSV header, then each page's lines, read
/// through the same store read as the list (so the same rows the caller may read).
enum ExportResponse {
    static func stream<Item: Sendable>(format: ExportFormat, filename: String, header: String?,
                                       page: @escaping @Sendable (_ cursor: String?) async throws -> Page<Item>,
                                       line: @escaping @Sendable (Item) -> String) -> Response {
        let body = ResponseBody { writer in
            if let header { try await writer.write(ByteBuffer(string: header)) }
            var cursor: String?
            repeat {
                let next = try await page(cursor)
                let text = next.items.map(line).joined()
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                cursor = next.nextCursor
            } while cursor != nil
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        headers[.contentDisposition] = "attachment; filename=\"\(filename).\(format.fileExtension)\""
        return Response(status: .ok, headers: headers, body: body)
    }
}
