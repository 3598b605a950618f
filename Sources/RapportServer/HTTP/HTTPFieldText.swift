extension StringProtocol where SubSequence == Substring, UTF8View: BidirectionalCollection {
    /// The text without the spaces and tabs HTTP allows around a field value and its parts
    /// (RFC 9110's optional whitespace), found byte by byte: Foundation's `trimmingCharacters`
    /// bridges through UTF-16 on every request.
    func trimmingHTTPSpace() -> Substring {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 0x20 || bytes[last] == 0x09 else { break }
            end = last
        }
        return self[start..<end]
    }
}
