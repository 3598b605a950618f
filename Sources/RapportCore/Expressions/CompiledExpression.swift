/// A CEL expression that has been parsed and type-checked once and can be evaluated many times.
///
/// ```swift
/// let filter = try CompiledExpression(filter: #"type == "rapport.interaction.created""#)
/// if filter.matches(event) { … }
/// ```
public struct CompiledExpression: Sendable {
    /// The source text as written.
    public let source: String
    /// The static type of the result (`dyn` when only known at run time).
    public let resultType: ExpressionType
    public let environment: ExpressionEnvironment
    let program: ExpressionInstruction
    let localCount: Int

    /// Compiles `source` against `environment`, throwing a positioned error for syntax, type and limit problems.
    public init(
        _ source: String, environment: ExpressionEnvironment, limits: ExpressionLimits = .standard
    ) throws(ExpressionError) {
        try self.init(source, environment: environment, declaresFreeVariables: false, limits: limits)
    }

    /// Compiles `source` over variables known only when it runs (a process's): every root
    /// identifier becomes a `dyn` variable, listed in `environment` afterwards. A variable without
    /// a value at run time is an evaluation error, as a missing key is.
    public init(freeVariables source: String, limits: ExpressionLimits = .standard) throws(ExpressionError) {
        try self.init(source, environment: ExpressionEnvironment([]), declaresFreeVariables: true, limits: limits)
    }

    private init(
        _ source: String, environment: ExpressionEnvironment, declaresFreeVariables: Bool, limits: ExpressionLimits
    ) throws(ExpressionError) {
        if source.utf8.count > limits.maxLength {
            throw ExpressionError(line: 1, column: 1, message: "expression is too long (\(source.utf8.count) bytes; the limit is \(limits.maxLength))")
        }
        let syntax: ExpressionSyntax
        do {
            syntax = try ExpressionParser.parse(source, limits: limits)
        } catch {
            throw ExpressionError(source: source, offset: error.offset, message: error.message)
        }
        var checker = ExpressionChecker(source: source, environment: environment, declaresFreeVariables: declaresFreeVariables)
        let (program, type) = try checker.check(syntax)
        self.source = source
        self.environment = checker.environment
        self.program = program
        self.resultType = type
        self.localCount = checker.localCount
    }

    /// Compiles a filter over events (`ExpressionEnvironment.events`); the result must be bool (or dyn).
    public init(filter source: String, environment: ExpressionEnvironment = .events, limits: ExpressionLimits = .standard) throws(ExpressionError) {
        try self.init(source, environment: environment, limits: limits)
        guard resultType == .bool || resultType == .dyn else {
            throw ExpressionError(line: 1, column: 1, message: "a filter must evaluate to bool, but this expression is \(resultType)")
        }
    }

    /// Evaluates against root-variable values; CEL errors (missing keys, bad run-time types) come back as failures.
    public func evaluate(_ activation: some ExpressionActivation) -> Result<JSONValue, ExpressionEvaluationError> {
        var evaluator = ExpressionEvaluator(activation: activation, localCount: localCount)
        return evaluator.evaluate(program)
    }

    /// Evaluates against an event's CloudEvents attributes and data.
    public func evaluate(_ event: Event) -> Result<JSONValue, ExpressionEvaluationError> {
        evaluate(EventActivation(event))
    }

    /// True only when the expression yields `true`; errors and non-bool results count as no match.
    public func matches(_ activation: some ExpressionActivation) -> Bool {
        if case .success(.bool(true)) = evaluate(activation) { return true }
        return false
    }

    /// True only when the expression yields `true` for `event`.
    public func matches(_ event: Event) -> Bool {
        matches(EventActivation(event))
    }

    /// Like `matches(_:)`, adding one to `errors` when evaluation produced an error or a non-bool value.
    public func matches(_ event: Event, errors: inout Int) -> Bool {
        switch evaluate(event) {
        case .success(.bool(let flag)): return flag
        default:
            errors += 1
            return false
        }
    }
}
