import Foundation

/// The values of one side of a pair: a record in the index or a record being looked up.
protocol MatchSide {
    /// The value ids of the side in `column`; negative ids are values the column lacks.
    func values(in column: Int, tables: MatchTables) -> IDList
    func withScalars<Result>(of id: Int32, in column: Int, tables: MatchTables,
                             _ body: (UnsafeBufferPointer<UInt32>) -> Result) -> Result
}

/// A record stored in an index slot.
struct IndexedSide: MatchSide {
    let slot: Int

    @inline(__always)
    func values(in column: Int, tables: MatchTables) -> IDList {
        tables.columns[column].records.list(at: slot)
    }

    @inline(__always)
    func withScalars<Result>(of id: Int32, in column: Int, tables: MatchTables,
                             _ body: (UnsafeBufferPointer<UInt32>) -> Result) -> Result {
        body(tables.columns[column].scalars(of: id))
    }
}

extension MatchTables {
    /// The packed grades of `left` against the record in slot `right`. For each field whose
    /// best grade is an exact agreement, `sharedValues[field]` is the id of the shared value
    /// (for term-frequency weights), otherwise `-1`.
    func compare(_ left: some MatchSide, _ right: Int, sharedValues: inout [Int32]) -> UInt64 {
        var packed: UInt64 = 0
        for field in 0..<fields.count {
            let definition = fields[field]
            sharedValues[field] = -1
            let column = columns[definition.column]
            let leftValues = left.values(in: definition.column, tables: self)
            let rightValues = column.records.list(at: right)
            guard !leftValues.isEmpty, !rightValues.isEmpty else {
                packed |= ComparisonVector.missing << (4 * UInt64(field))
                continue
            }
            let fieldLevels = UnsafeBufferPointer(rebasing: levels[definition.firstLevel..<(definition.firstLevel + definition.levelCount)])
            var best = Int.max
            search: for leftID in leftValues {
                let found = left.withScalars(of: leftID, in: definition.column, tables: self) { leftScalars -> Int32? in
                    for rightID in rightValues {
                        let grade = LevelGrader.grade(fieldLevels, leftScalars, id: leftID, column.scalars(of: rightID), id: rightID)
                        if grade < best {
                            best = grade
                            if grade == 0 { return rightID }
                        }
                    }
                    return nil
                }
                if let found {
                    sharedValues[field] = found
                    break search
                }
            }
            packed |= UInt64(best) << (4 * UInt64(field))
        }
        return packed
    }

    /// The weight of one field; an exact agreement on a term-frequency field weighs by the
    /// frequency of the shared value instead of the field's average u.
    @inline(__always)
    func fieldWeight(_ field: Int, grade: Int, sharedValue: Int32) -> (weight: Double, adjusted: Bool) {
        let definition = fields[field]
        if grade == 0, sharedValue >= 0, definition.termFrequency {
            return (definition.exactLogM - log2(columns[definition.column].frequency(of: sharedValue)), true)
        }
        return (weights[definition.firstWeight + grade], false)
    }

    /// The match weight of a compared pair: the prior plus every field's weight.
    func weight(_ packed: UInt64, sharedValues: [Int32]) -> Double {
        var total = priorWeight
        for field in 0..<fields.count {
            guard let grade = ComparisonVector.grade(packed, field) else { continue }
            total += fieldWeight(field, grade: grade, sharedValue: sharedValues[field]).weight
        }
        return total
    }
}
