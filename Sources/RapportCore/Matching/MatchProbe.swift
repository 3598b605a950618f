/// A record looked up against an index without being added to it: values the index already
/// holds are referred to by id, new ones are kept here.
struct MatchProbe: MatchSide {
    /// Per column, value ids; `-(k + 2)` refers to `newScalars[column][k]`.
    let valueIDs: [[Int32]]
    let newScalars: [[[UInt32]]]
    /// Per rule, the ids of the keys the index already has, ascending.
    let blockKeys: [[Int32]]
    /// The source number, or `-1` for a source the index has not seen.
    let source: Int32

    init(_ record: MatchRecord, in index: MatchIndex) {
        let prepared = index.plan.prepare(record)
        var valueIDs: [[Int32]] = []
        var newScalars: [[[UInt32]]] = []
        for (column, values) in prepared.columnValues.enumerated() {
            var ids: [Int32] = []
            var fresh: [[UInt32]] = []
            for value in values {
                if let id = index.columns[column].id(of: value) {
                    ids.append(id)
                } else {
                    ids.append(-Int32(fresh.count + 2))
                    fresh.append(value.unicodeScalars.map(\.value))
                }
            }
            valueIDs.append(ids)
            newScalars.append(fresh)
        }
        self.valueIDs = valueIDs
        self.newScalars = newScalars
        blockKeys = prepared.ruleKeys.enumerated().map { rule, keys in
            keys.compactMap { index.blocks[rule].id(of: $0) }.sorted()
        }
        source = index.sourceNames.firstIndex(of: record.source).map(Int32.init) ?? -1
    }

    func values(in column: Int, tables: MatchTables) -> IDList {
        let ids = valueIDs[column]
        // A single known id needs no array; new values (negative ids) always travel in one.
        return ids.count == 1 && ids[0] >= 0 ? IDList(single: ids[0], many: nil) : IDList(single: -1, many: ids)
    }

    func withScalars<Result>(of id: Int32, in column: Int, tables: MatchTables,
                             _ body: (UnsafeBufferPointer<UInt32>) -> Result) -> Result {
        if id >= 0 { return body(tables.columns[column].scalars(of: id)) }
        return newScalars[column][Int(-id - 2)].withUnsafeBufferPointer(body)
    }
}
