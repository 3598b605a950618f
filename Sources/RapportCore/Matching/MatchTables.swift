/// Raw, read-only views of an index (and of a model's weights) for the length of one matching
/// operation. The hot loops compare millions of pairs on several threads; reading through
/// these views touches no reference counts, which threads would otherwise fight over.
///
/// Only `MatchIndex.withTables` makes one, and the views are valid only inside its closure;
/// that is why the type may cross threads (`@unchecked Sendable`): it is read, never written.
struct MatchTables: @unchecked Sendable {
    /// What the tables know about one compared field.
    struct Field {
        let column: Int
        let firstLevel: Int
        let levelCount: Int
        /// Whether an exact agreement weighs by the frequency of the shared value.
        let termFrequency: Bool
        let firstWeight: Int
        /// log2(m) of exact agreement, for term-frequency weights.
        let exactLogM: Double
    }

    let fields: UnsafeBufferPointer<Field>
    let levels: UnsafeBufferPointer<ComparisonLevel>
    /// log2(m / u) per field and grade, from `Field.firstWeight`; empty without a model.
    let weights: UnsafeBufferPointer<Double>
    let priorWeight: Double
    let columns: UnsafeBufferPointer<ColumnView>
    let blocks: UnsafeBufferPointer<BlockView>
    /// The source number of each slot, `-1` for a free slot.
    let sources: UnsafeBufferPointer<Int32>
    let linksSourcesOnly: Bool
    let maximumBlockSize: Int

    var fieldCount: Int { fields.count }

    @inline(__always)
    func mayPair(_ first: Int, _ second: Int) -> Bool {
        !linksSourcesOnly || sources[first] != sources[second]
    }

    @inline(__always)
    func isComparable(blockSize: Int) -> Bool {
        blockSize >= 2 && blockSize <= maximumBlockSize
    }
}

extension MatchIndex {
    /// Runs `body` with tables over this index and, when given, a model's `weights`.
    func withTables<Result>(weights model: MatchWeights? = nil, _ body: (MatchTables) -> Result) -> Result {
        var fields: [MatchTables.Field] = []
        var levels: [ComparisonLevel] = []
        for (position, field) in profile.fields.enumerated() {
            fields.append(MatchTables.Field(
                column: plan.fieldColumns[position], firstLevel: levels.count, levelCount: field.comparator.levels.count,
                termFrequency: field.termFrequency && field.comparator.levels.first == .exact,
                firstWeight: model?.firstWeight[position] ?? 0, exactLogM: model?.exactLogM[position] ?? 0
            ))
            levels.append(contentsOf: field.comparator.levels)
        }
        let weights = model?.table ?? []
        let prior = model?.priorWeight ?? 0
        let link = profile.pairing == .link
        let maximumBlockSize = profile.maximumBlockSize ?? Int.max
        return Self.withViews(of: columns[...], collected: []) { columnViews in
            Self.withViews(of: blocks[...], collected: []) { blockViews in
                columnViews.withUnsafeBufferPointer { columnViews in
                    blockViews.withUnsafeBufferPointer { blockViews in
                        fields.withUnsafeBufferPointer { fields in
                            levels.withUnsafeBufferPointer { levels in
                                weights.withUnsafeBufferPointer { weights in
                                    sourceOfSlot.withUnsafeBufferPointer { sources in
                                        body(MatchTables(
                                            fields: fields, levels: levels, weights: weights, priorWeight: prior,
                                            columns: columnViews, blocks: blockViews, sources: sources,
                                            linksSourcesOnly: link, maximumBlockSize: maximumBlockSize
                                        ))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func withViews<Result>(of columns: ArraySlice<ValueColumn>, collected: [ColumnView],
                                          _ body: ([ColumnView]) -> Result) -> Result {
        guard let column = columns.first else { return body(collected) }
        return column.withView { view in withViews(of: columns.dropFirst(), collected: collected + [view], body) }
    }

    private static func withViews<Result>(of blocks: ArraySlice<BlockTable>, collected: [BlockView],
                                          _ body: ([BlockView]) -> Result) -> Result {
        guard let block = blocks.first else { return body(collected) }
        return block.withView { view in withViews(of: blocks.dropFirst(), collected: collected + [view], body) }
    }
}
