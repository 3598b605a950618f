/// How duplicate detection runs: whether each written customer is checked, the thresholds for
/// review and for merging without asking (off unless switched on), and the profile it compares with.
public struct MatchingSettings: Sendable, Equatable {
    /// Check each created or changed customer for duplicates.
    public var online: Bool
    /// Merge pairs at or above the auto-merge threshold without review.
    public var autoMerge: Bool
    public var reviewThreshold: Double
    public var autoMergeThreshold: Double
    /// Which fields compare how, and the blocking rules; nil for the standard CRM profile.
    public var customProfile: MatchProfile?

    public init(online: Bool = true, autoMerge: Bool = false, reviewThreshold: Double = MatchProfile.default.thresholds.review,
                autoMergeThreshold: Double = MatchProfile.default.thresholds.autoMerge, customProfile: MatchProfile? = nil) {
        self.online = online
        self.autoMerge = autoMerge
        self.reviewThreshold = reviewThreshold
        self.autoMergeThreshold = autoMergeThreshold
        self.customProfile = customProfile
    }

    /// The profile in force, with these thresholds.
    public var profile: MatchProfile {
        var profile = customProfile ?? .default
        profile.thresholds = MatchThresholds(review: reviewThreshold, autoMerge: autoMergeThreshold)
        return profile
    }

    public var json: JSONValue {
        ["online": .bool(online), "auto_merge": .bool(autoMerge), "review_threshold": .double(reviewThreshold),
         "auto_merge_threshold": .double(autoMergeThreshold), "profile": customProfile?.json ?? .null]
    }

    /// Validates a settings document; fields left out keep their defaults.
    public static func read(_ body: JSONValue) throws(ValidationFailure) -> MatchingSettings {
        var reader = try InputReader(body)
        var settings = MatchingSettings()
        if let value = reader.value("online") {
            if let flag = value.boolValue { settings.online = flag } else { reader.fail("online", "must be true or false") }
        }
        if let value = reader.value("auto_merge") {
            if let flag = value.boolValue { settings.autoMerge = flag } else { reader.fail("auto_merge", "must be true or false") }
        }
        for (key, path) in [("review_threshold", \MatchingSettings.reviewThreshold), ("auto_merge_threshold", \.autoMergeThreshold)] {
            guard let value = reader.value(key) else { continue }
            guard let number = value.doubleValue, number > 0, number < 1 else {
                reader.fail(key, "must be a probability between 0 and 1 (exclusive)")
                continue
            }
            settings[keyPath: path] = number
        }
        if let value = reader.value("profile"), !value.isNull {
            if case .object(var object) = value {
                // The thresholds are the settings' own; a profile may leave them out.
                object["thresholds"] = ["review": .double(settings.reviewThreshold), "auto_merge": .double(settings.autoMergeThreshold)]
                do throws(MatchConfigurationError) {
                    settings.customProfile = try MatchProfile(json: .object(object))
                } catch {
                    reader.fail("profile", error.problems.joined(separator: "; "))
                }
            } else {
                reader.fail("profile", "expected an object with fields and blocking_rules, or null for the standard profile")
            }
        }
        if settings.autoMergeThreshold < settings.reviewThreshold {
            reader.fail("auto_merge_threshold", "must not be below review_threshold")
        }
        try reader.finish()
        return settings
    }
}
