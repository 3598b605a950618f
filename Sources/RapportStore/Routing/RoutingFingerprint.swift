import RapportCore
import SQLKit

/// What routing's cached resources were built from, read in one statement: counts and newest
/// change times of rules, keyword sets, the organization (channels, departments, queues), the
/// routing settings and the newest classifier version. Any acknowledged change to these moves it,
/// so a cache that compares fingerprints before answering never serves what a 2xx made stale.
public struct RoutingFingerprint: Sendable, Equatable {
    public var rules: [Int64?]
    public var keywordSets: [Int64?]
    public var classifierVersion: Int64?
    public var settings: Int64?
    public var organization: [Int64?]

    public init(rules: [Int64?] = [], keywordSets: [Int64?] = [], classifierVersion: Int64? = nil, settings: Int64? = nil,
                organization: [Int64?] = []) {
        self.rules = rules
        self.keywordSets = keywordSets
        self.classifierVersion = classifierVersion
        self.settings = settings
        self.organization = organization
    }
}

extension SQLRoutingStore {
    public func routingFingerprint() async throws -> RoutingFingerprint {
        try await read { database in
            guard let row = try await database.raw("""
                SELECT (SELECT COUNT(*) FROM routing_rules WHERE deleted_at IS NULL) AS rules_n,
                       (SELECT MAX(updated_at) FROM routing_rules) AS rules_updated,
                       (SELECT MAX(deleted_at) FROM routing_rules) AS rules_deleted,
                       (SELECT COUNT(*) FROM keyword_sets) AS sets_n,
                       (SELECT MAX(updated_at) FROM keyword_sets) AS sets_updated,
                       (SELECT MAX(version) FROM classifier_models) AS model,
                       (SELECT updated_at FROM settings WHERE key = \(bind: SettingKeys.routing)) AS settings,
                       (SELECT COUNT(*) FROM channels) AS channels_n, (SELECT MAX(updated_at) FROM channels) AS channels_updated,
                       (SELECT COUNT(*) FROM departments) AS departments_n, (SELECT MAX(updated_at) FROM departments) AS departments_updated,
                       (SELECT COUNT(*) FROM queues) AS queues_n, (SELECT MAX(updated_at) FROM queues) AS queues_updated,
                       (SELECT COUNT(*) FROM queue_members) AS members_n
                """).first() else { return RoutingFingerprint() }
            func value(_ column: String) throws -> Int64? { try row.decode(column: column, as: Int64?.self) }
            return RoutingFingerprint(
                rules: [try value("rules_n"), try value("rules_updated"), try value("rules_deleted")],
                keywordSets: [try value("sets_n"), try value("sets_updated")],
                classifierVersion: try value("model"),
                settings: try value("settings"),
                organization: [try value("channels_n"), try value("channels_updated"), try value("departments_n"),
                               try value("departments_updated"), try value("queues_n"), try value("queues_updated"),
                               try value("members_n")])
        }
    }
}
