/// Statements over lists of bound values made in a few fixed lengths, so that the writer's
/// SQLite connection prepares one statement per length and keeps it.
///
/// A statement's text grows with its list (`VALUES (?, ?), (?, ?)…`, `IN (?, ?, …)`), and the
/// writer keeps its prepared statements by text. With every length from 1 to a few hundred, a
/// batch's statements missed that cache about a third of the time and were parsed again; with
/// lengths that are powers of two, each table has at most nine.
enum StatementShape {
    /// The power of two at or above `count` (1 for 0).
    static func paddedLength(_ count: Int) -> Int {
        var length = 1
        while length < count { length <<= 1 }
        return length
    }

    /// `items` grown to `paddedLength(items.count)` by repeating the last; for lookups, where a
    /// value asked twice finds the same rows (callers keep each row once).
    static func padded<Item>(_ items: some Collection<Item>) -> [Item] {
        var list = Array(items)
        guard let last = list.last else { return list }
        list.reserveCapacity(paddedLength(list.count))
        while list.count < paddedLength(list.count) { list.append(last) }
        return list
    }

    /// `count` as a sum of descending powers of two (13 → 8, 4, 1): the lengths of the
    /// statements that insert `count` rows, where a row cannot be repeated.
    static func chunkLengths(_ count: Int) -> [Int] {
        var lengths: [Int] = []
        var rest = count
        while rest > 0 {
            var length = 1
            while length << 1 <= rest { length <<= 1 }
            lengths.append(length)
            rest -= length
        }
        return lengths
    }
}
