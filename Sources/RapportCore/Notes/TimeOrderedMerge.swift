/// One page of a list made of several lists, each read after the same cursor and each in the same
/// order of (time, id): the first `limit` of all of them, and whether more remain after those.
public enum TimeOrderedMerge {
    public static func page<Entry>(_ sources: [(entries: [Entry], more: Bool)], newestFirst: Bool, limit: Int,
                                   key: (Entry) -> (Timestamp, String)) -> (entries: [Entry], more: Bool) {
        let all = sources.flatMap(\.entries).sorted {
            let (left, right) = (key($0), key($1))
            return newestFirst ? left > right : left < right
        }
        let page = Array(all.prefix(limit))
        return (page, all.count > limit || sources.contains(where: \.more))
    }
}
