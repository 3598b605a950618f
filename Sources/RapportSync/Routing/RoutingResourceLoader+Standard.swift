import RapportCore
import RapportStore

extension RoutingResourceLoader {
    /// Keyword sets and the newest classifier model from the store.
    public static let standard = rulesOnly
}
