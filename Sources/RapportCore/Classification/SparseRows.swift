/// Training messages as feature vectors, stored row after row in three flat arrays (CSR).
struct SparseRows: Sendable {
    /// Where each row starts in `columns` and `values`; one more entry than rows.
    var starts: [Int] = [0]
    var columns: [Int32] = []
    var values: [Float] = []

    var count: Int { starts.count - 1 }

    mutating func append(columns rowColumns: [Int32], values rowValues: [Float]) {
        columns.append(contentsOf: rowColumns)
        values.append(contentsOf: rowValues)
        starts.append(columns.count)
    }
}
