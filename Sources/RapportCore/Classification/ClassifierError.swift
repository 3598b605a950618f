/// Why a classifier could not be trained or read back.
public struct ClassifierError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; compare with the constants below.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        public init(_ rawValue: String) {
            self.rawValue = rawValue
        }

        public var description: String { rawValue }

        /// There were no usable examples (none, or all with empty text or label).
        public static let noExamples = Code("no_examples")
        /// Every usable example has the same label: there is nothing to choose between.
        public static let tooFewLabels = Code("too_few_labels")
        /// The options are out of range (for instance an n-gram range that is empty).
        public static let invalidOptions = Code("invalid_options")
        /// A stored model is truncated, damaged or not a classifier model at all.
        public static let corruptModel = Code("corrupt_model")
        /// A stored model was written by a newer format version than this build reads.
        public static let unsupportedVersion = Code("unsupported_version")
    }

    public var code: Code
    /// A human-readable explanation; never contains message texts.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
