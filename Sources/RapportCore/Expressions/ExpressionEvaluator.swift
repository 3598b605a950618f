/// Walks checked instructions against an activation, producing a value or a CEL error value.
///
/// Generic over the activation so calls are specialised; it allocates only for values the
/// expression builds (concatenations, non-constant lists, conversions to string).
struct ExpressionEvaluator<Activation: ExpressionActivation> {
    typealias Instruction = ExpressionInstruction
    typealias Outcome = Result<JSONValue, ExpressionEvaluationError>

    let activation: Activation
    var locals: [JSONValue]

    init(activation: Activation, localCount: Int) {
        self.activation = activation
        locals = localCount == 0 ? [] : Array(repeating: .null, count: localCount)
    }

    mutating func evaluate(_ instruction: Instruction) -> Outcome {
        switch instruction {
        case .constant(let value):
            return .success(value)
        case .variable(let index, let name):
            guard let value = activation.value(ofVariable: index, named: name) else { return .failure(.noSuchVariable(name)) }
            return .success(value)
        case .local(let slot):
            return .success(locals[slot])
        case .select(let base, let path):
            let start = evaluate(base)
            guard case .success(var value) = start else { return start }
            for key in path {
                guard case .object(let object) = value else { return .failure(.notAMap(field: key)) }
                guard let next = object[key] else { return .failure(.noSuchKey(key)) }
                value = next
            }
            return .success(value)
        case .index(let base, let index):
            return Self.index(evaluate(base), evaluate(index))
        case .not(let operand):
            switch evaluate(operand) {
            case .success(.bool(let flag)): return .success(.bool(!flag))
            case .success: return .failure(.noMatchingOverload("!_"))
            case .failure(let error): return .failure(error)
            }
        case .negate(let operand):
            switch evaluate(operand) {
            case .success(.integer(let value)):
                return value == .min ? .failure(.overflow) : .success(.integer(-value))
            case .success(.double(let value)): return .success(.double(-value))
            case .success: return .failure(.noMatchingOverload("-_"))
            case .failure(let error): return .failure(error)
            }
        case .arithmetic(let op, let left, let right):
            let lhs = evaluate(left)
            guard case .success(let a) = lhs else { return lhs }
            let rhs = evaluate(right)
            guard case .success(let b) = rhs else { return rhs }
            return ExpressionOperations.arithmetic(op, a, b)
        case .ordering(let op, let left, let right):
            let lhs = evaluate(left)
            guard case .success(let a) = lhs else { return lhs }
            let rhs = evaluate(right)
            guard case .success(let b) = rhs else { return rhs }
            guard let order = ExpressionOperations.compare(a, b) else { return .failure(.noMatchingOverload(op.rawValue)) }
            switch op {
            case .less: return .success(.bool(order < 0))
            case .lessEqual: return .success(.bool(order <= 0))
            case .greater: return .success(.bool(order > 0))
            case .greaterEqual: return .success(.bool(order >= 0))
            }
        case .equal(let left, let right, let negated):
            let lhs = evaluate(left)
            guard case .success(let a) = lhs else { return lhs }
            let rhs = evaluate(right)
            guard case .success(let b) = rhs else { return rhs }
            return .success(.bool(ExpressionOperations.equals(a, b) != negated))
        case .membership(let element, let collection):
            let lhs = evaluate(element)
            guard case .success(let needle) = lhs else { return lhs }
            let rhs = evaluate(collection)
            guard case .success(let haystack) = rhs else { return rhs }
            switch haystack {
            case .array(let elements):
                return .success(.bool(elements.contains { ExpressionOperations.equals(needle, $0) }))
            case .object(let object):
                guard case .string(let key) = needle else { return .success(false) }
                return .success(.bool(object[key] != nil))
            default:
                return .failure(.noMatchingOverload("@in"))
            }
        case .and(let left, let right):
            return logical(left, right, decisive: false, name: "_&&_")
        case .or(let left, let right):
            return logical(left, right, decisive: true, name: "_||_")
        case .conditional(let condition, let whenTrue, let whenFalse):
            switch evaluate(condition) {
            case .success(.bool(let flag)): return evaluate(flag ? whenTrue : whenFalse)
            case .success: return .failure(.noMatchingOverload("_?_:_"))
            case .failure(let error): return .failure(error)
            }
        case .list(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                switch evaluate(element) {
                case .success(let value): values.append(value)
                case .failure(let error): return .failure(error)
                }
            }
            return .success(.array(values))
        case .map(let entries):
            var object = JSONObject()
            for entry in entries {
                let key = evaluate(entry.key)
                guard case .success(let keyValue) = key else { return key }
                guard case .string(let name) = keyValue else { return .failure(.noMatchingOverload("{_:_}")) }
                let value = evaluate(entry.value)
                guard case .success(let member) = value else { return value }
                if object[name] != nil { return .failure(.invalidArgument("duplicate map key")) }
                object[name] = member
            }
            return .success(.object(object))
        case .has(let base, let field):
            switch evaluate(base) {
            case .success(.object(let object)): return .success(.bool(object[field] != nil))
            case .success: return .failure(.noMatchingOverload("has"))
            case .failure(let error): return .failure(error)
            }
        case .call(let builtin, let arguments):
            return call(builtin, arguments)
        case .matchesPattern(let text, let pattern):
            switch evaluate(text) {
            case .success(.string(let value)): return .success(.bool(pattern.matches(value)))
            case .success: return .failure(.noMatchingOverload("matches"))
            case .failure(let error): return .failure(error)
            }
        case .comprehension(let quantifier, let range, let slot, let predicate):
            return comprehension(quantifier, range, slot, predicate)
        }
    }

    /// CEL commutative `&&` / `||`: `decisive` is the value that settles the result (false for `&&`,
    /// true for `||`); an error or non-bool on one side is absorbed when the other side is decisive.
    private mutating func logical(_ left: Instruction, _ right: Instruction, decisive: Bool, name: String) -> Outcome {
        let lhs = evaluate(left)
        if case .success(.bool(let flag)) = lhs, flag == decisive { return lhs }
        let rhs = evaluate(right)
        switch (lhs, rhs) {
        case (_, .success(.bool(let flag))) where flag == decisive: return rhs
        case (.success(.bool), .success(.bool)): return rhs
        case (.failure(let error), _), (_, .failure(let error)): return .failure(error)
        default: return .failure(.noMatchingOverload(name))
        }
    }

    private mutating func comprehension(_ quantifier: Instruction.Quantifier, _ range: Instruction, _ slot: Int, _ predicate: Instruction) -> Outcome {
        let decisive = quantifier == .exists
        let name = decisive ? "exists" : "all"
        var firstError: ExpressionEvaluationError?
        func step(_ outcome: Outcome) -> Bool {
            switch outcome {
            case .success(.bool(let flag)): return flag == decisive
            case .success: if firstError == nil { firstError = .noMatchingOverload(name) }
            case .failure(let error): if firstError == nil { firstError = error }
            }
            return false
        }
        switch evaluate(range) {
        case .success(.array(let elements)):
            for element in elements {
                locals[slot] = element
                if step(evaluate(predicate)) { return .success(.bool(decisive)) }
            }
        case .success(.object(let object)):
            for (key, _) in object {
                locals[slot] = .string(key)
                if step(evaluate(predicate)) { return .success(.bool(decisive)) }
            }
        case .success: return .failure(.noMatchingOverload(name))
        case .failure(let error): return .failure(error)
        }
        if let firstError { return .failure(firstError) }
        return .success(.bool(!decisive))
    }

    private mutating func call(_ builtin: Instruction.Builtin, _ arguments: [Instruction]) -> Outcome {
        let first = evaluate(arguments[0])
        guard case .success(let value) = first else { return first }
        if arguments.count == 1 { return ExpressionOperations.apply(builtin, value) }
        let second = evaluate(arguments[1])
        guard case .success(let argument) = second else { return second }
        return ExpressionOperations.apply(builtin, value, argument)
    }

    private static func index(_ base: Outcome, _ index: Outcome) -> Outcome {
        guard case .success(let container) = base else { return base }
        guard case .success(let key) = index else { return index }
        switch (container, key) {
        case (.array(let elements), .integer(let position)):
            guard position >= 0, position < elements.count else { return .failure(.indexOutOfRange(position)) }
            return .success(elements[Int(position)])
        case (.array(let elements), .double(let position)):
            guard position.rounded() == position, let integral = Int64(exactly: position) else { return .failure(.noMatchingOverload("_[_]")) }
            guard integral >= 0, integral < elements.count else { return .failure(.indexOutOfRange(integral)) }
            return .success(elements[Int(integral)])
        case (.object(let object), .string(let name)):
            guard let value = object[name] else { return .failure(.noSuchKey(name)) }
            return .success(value)
        default:
            return .failure(.noMatchingOverload("_[_]"))
        }
    }
}
