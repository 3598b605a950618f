extension Migrations {
    /// Indexes that answer the search box's name and company prefixes with a range seek instead
    /// of a scan of every customer. On PostgreSQL they compare in the "C" collation (code point
    /// order), the order in which a prefix's matches form one range whatever the database's
    /// locale; the searches compare the same way.
    ///
    /// And the index of `merged_into` becomes partial (merged customers only): whole, it also
    /// indexed the NULL of every live customer, and SQLite's planner, without statistics, chose it
    /// for `merged_into IS NULL` — a walk over every customer — over the index a query needed.
    static let customerSearch = Migration(version: 11, name: "customer search: name and company prefix indexes", statements: { flavor in
        let mergedOnly = [
            "DROP INDEX customers_merged_into",
            "CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL",
        ]
        switch flavor {
        case .sqlite:
            return ["CREATE INDEX customers_company_key ON customers (lower(company))"] + mergedOnly
        case .postgres:
            return [
                #"CREATE INDEX customers_name_key_c ON customers (name_key COLLATE "C")"#,
                #"CREATE INDEX customers_company_key_c ON customers ((lower(company)) COLLATE "C")"#,
            ] + mergedOnly
        }
    })
}
