import RapportCore

/// A decision table, as DMN draws one: input columns (expressions over the variables), output
/// columns, and rules — a unary test per input, an expression per output — chosen by the hit
/// policy. A business rule task evaluates it in the instance and puts the result in a variable.
public struct DecisionTable: Sendable {
    public enum HitPolicy: String, Sendable, CaseIterable {
        /// At most one rule may match (more is an error).
        case unique = "UNIQUE"
        /// The first rule that matches, in order.
        case first = "FIRST"
        /// Every matching rule must give the same outputs.
        case any = "ANY"
        /// The outputs of every matching rule, as a list in rule order.
        case collect = "COLLECT"
        /// As `collect` (DMN's name for the list in rule order).
        case ruleOrder = "RULE ORDER"
    }

    public struct Input: Sendable {
        public let label: String
        public let expression: FlowExpression
    }

    public struct Rule: Sendable {
        /// One test per input.
        public let tests: [UnaryTest]
        /// One expression per output.
        public let outputs: [FlowExpression]
        /// Its line in the file, for errors.
        public let line: Int
    }

    public let hitPolicy: HitPolicy
    public let inputs: [Input]
    /// The outputs' names: one output gives its value, several an object of them.
    public let outputs: [String]
    public let rules: [Rule]
}

/// A DMN input entry: whether the input's value passes. The FEEL unary tests a decision table is
/// written in: `-` (anything), literals, comparisons (`< 5000`), ranges (`[1..10]`, `]1..10[`),
/// lists of those (`"gold","silver"`) and `not(…)` of them.
public indirect enum UnaryTest: Sendable, Equatable {
    case any
    case equal(JSONValue)
    case compare(Comparison, JSONValue)
    case range(low: JSONValue, lowIncluded: Bool, high: JSONValue, highIncluded: Bool)
    case oneOf([UnaryTest])
    case not([UnaryTest])

    public enum Comparison: String, Sendable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }
}
