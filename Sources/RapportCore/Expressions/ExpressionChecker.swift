/// Type-checks a parsed expression against an environment and lowers it to instructions.
struct ExpressionChecker {
    typealias Instruction = ExpressionInstruction

    private struct Local {
        var name: String
        var type: ExpressionType
        var slot: Int
    }

    private let source: String
    private(set) var environment: ExpressionEnvironment
    /// When set, a root identifier the environment lacks is declared as a `dyn` variable instead of refused.
    private let declaresFreeVariables: Bool
    private var scope: [Local] = []
    private(set) var localCount = 0

    init(source: String, environment: ExpressionEnvironment, declaresFreeVariables: Bool = false) {
        self.source = source
        self.environment = environment
        self.declaresFreeVariables = declaresFreeVariables
    }

    private static let globalFunctions = ["size", "has", "int", "double", "string"]
    private static let memberFunctions = ["size", "startsWith", "endsWith", "contains", "matches", "lowerAscii", "exists", "all"]

    private func failure(_ offset: Int, _ message: String) -> ExpressionError {
        ExpressionError(source: source, offset: offset, message: message)
    }

    private func overloadFailure(_ offset: Int, _ function: String, _ types: ExpressionType...) -> ExpressionError {
        overloadFailure(offset, function, types)
    }

    private func overloadFailure(_ offset: Int, _ function: String, _ types: [ExpressionType]) -> ExpressionError {
        let list = types.map(\.description).joined(separator: ", ")
        return failure(offset, "no matching overload for '\(function)' applied to '(\(list))'")
    }

    /// The closest of `candidates` to `name`, when it is near enough to be a likely typo.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let distance = DamerauLevenshtein.distance(name.lowercased(), candidate.lowercased())
            let limit = max(1, min(2, candidate.count / 3))
            if distance <= limit, best.map({ distance < $0.distance }) ?? true {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    private static func didYouMean(_ name: String, _ candidates: [String]) -> String {
        guard let suggestion = suggestion(for: name, among: candidates) else { return "" }
        return "; did you mean '\(suggestion)'?"
    }

    mutating func check(_ node: ExpressionSyntax) throws(ExpressionError) -> (Instruction, ExpressionType) {
        switch node.kind {
        case .literal(let value):
            return (.constant(value), ExpressionType(of: value))
        case .identifier(let name):
            if let local = scope.last(where: { $0.name == name }) {
                return (.local(local.slot), local.type)
            }
            if let index = environment.index(of: name) {
                return (.variable(index: index, name: name), environment.variables[index].type)
            }
            if declaresFreeVariables {
                let index = environment.declare(ExpressionEnvironment.Variable(name, .dyn))
                return (.variable(index: index, name: name), .dyn)
            }
            let names = scope.reversed().map(\.name) + environment.variables.map(\.name)
            throw failure(node.offset, "no such variable '\(name)'" + Self.didYouMean(name, names))
        case .select(let base, let field):
            let (instruction, type) = try check(base)
            let result: ExpressionType
            switch type {
            case .dyn: result = .dyn
            case .map(let value): result = value
            default: throw failure(node.offset, "type '\(type)' has no field '\(field)'")
            }
            if case .select(let root, let path) = instruction {
                return (.select(root, path: path + [field]), result)
            }
            return (.select(instruction, path: [field]), result)
        case .index(let base, let index):
            return try checkIndex(node, base, index)
        case .unary(let op, let operand):
            let (instruction, type) = try check(operand)
            switch op {
            case .not:
                guard type.allows({ $0 == .bool }) else { throw overloadFailure(node.offset, "!_", type) }
                return (.not(instruction), .bool)
            case .negate:
                guard type.allows({ $0 == .int || $0 == .double }) else { throw overloadFailure(node.offset, "-_", type) }
                if case .constant(.double(let value)) = instruction { return (.constant(.double(-value)), .double) }
                return (.negate(instruction), type)
            }
        case .binary(let op, let left, let right):
            return try checkBinary(node, op, left, right)
        case .conditional(let condition, let whenTrue, let whenFalse):
            let (test, testType) = try check(condition)
            guard testType.allows({ $0 == .bool }) else {
                throw failure(condition.offset, "condition must be bool, got \(testType)")
            }
            let (first, firstType) = try check(whenTrue)
            let (second, secondType) = try check(whenFalse)
            return (.conditional(test, first, second), firstType.joined(with: secondType))
        case .list(let elements):
            var instructions: [Instruction] = []
            var constants: [JSONValue] = []
            var elementType: ExpressionType?
            for element in elements {
                let (instruction, type) = try check(element)
                instructions.append(instruction)
                if case .constant(let value) = instruction { constants.append(value) }
                elementType = elementType?.joined(with: type) ?? type
            }
            let type = ExpressionType.list(elementType ?? .dyn)
            if constants.count == instructions.count { return (.constant(.array(constants)), type) }
            return (.list(instructions), type)
        case .map(let entries):
            var lowered: [Instruction.Entry] = []
            var valueType: ExpressionType?
            for entry in entries {
                let (key, keyType) = try check(entry.key)
                guard keyType.allows({ $0 == .string }) else {
                    throw failure(entry.key.offset, "map keys must be strings, got \(keyType)")
                }
                let (value, type) = try check(entry.value)
                lowered.append(Instruction.Entry(key: key, value: value))
                valueType = valueType?.joined(with: type) ?? type
            }
            return (.map(lowered), .map(valueType ?? .dyn))
        case .call(let function, let target, let arguments):
            return try checkCall(node, function, target, arguments)
        }
    }

    private mutating func checkIndex(_ node: ExpressionSyntax, _ base: ExpressionSyntax, _ index: ExpressionSyntax) throws(ExpressionError) -> (Instruction, ExpressionType) {
        let (container, containerType) = try check(base)
        let (key, keyType) = try check(index)
        switch containerType {
        case .list(let element):
            guard keyType.allows({ $0 == .int }) else { throw overloadFailure(node.offset, "_[_]", containerType, keyType) }
            return (.index(container, key), element)
        case .map(let value):
            guard keyType.allows({ $0 == .string }) else { throw overloadFailure(node.offset, "_[_]", containerType, keyType) }
            if case .constant(.string(let field)) = key { return (.select(container, path: [field]), value) }
            return (.index(container, key), value)
        case .dyn:
            guard keyType.allows({ $0 == .int || $0 == .string }) else { throw overloadFailure(node.offset, "_[_]", containerType, keyType) }
            if case .constant(.string(let field)) = key {
                if case .select(let root, let path) = container { return (.select(root, path: path + [field]), .dyn) }
                return (.select(container, path: [field]), .dyn)
            }
            return (.index(container, key), .dyn)
        default:
            throw overloadFailure(node.offset, "_[_]", containerType, keyType)
        }
    }

    private enum Family { case numeric, string, bool, dyn, other }

    private static func family(_ type: ExpressionType) -> Family {
        switch type {
        case .int, .double: return .numeric
        case .string: return .string
        case .bool: return .bool
        case .dyn: return .dyn
        default: return .other
        }
    }

    private mutating func checkBinary(_ node: ExpressionSyntax, _ op: ExpressionSyntax.BinaryOperator, _ left: ExpressionSyntax, _ right: ExpressionSyntax) throws(ExpressionError) -> (Instruction, ExpressionType) {
        let (lhs, leftType) = try check(left)
        let (rhs, rightType) = try check(right)
        let name = op == .in ? "@in" : "_\(op.rawValue)_"
        switch op {
        case .and, .or:
            guard leftType.allows({ $0 == .bool }), rightType.allows({ $0 == .bool }) else {
                throw overloadFailure(node.offset, name, leftType, rightType)
            }
            return (op == .and ? .and(lhs, rhs) : .or(lhs, rhs), .bool)
        case .equal, .notEqual:
            let numeric = Self.family(leftType) == .numeric && Self.family(rightType) == .numeric
            guard leftType.isCompatible(with: rightType) || numeric || leftType == .null || rightType == .null else {
                throw overloadFailure(node.offset, name, leftType, rightType)
            }
            return (.equal(lhs, rhs, negated: op == .notEqual), .bool)
        case .less, .lessEqual, .greater, .greaterEqual:
            let (a, b) = (Self.family(leftType), Self.family(rightType))
            guard a != .other, b != .other, a == b || a == .dyn || b == .dyn else {
                throw overloadFailure(node.offset, name, leftType, rightType)
            }
            let ordering: Instruction.Ordering
            switch op {
            case .less: ordering = .less
            case .lessEqual: ordering = .lessEqual
            case .greater: ordering = .greater
            default: ordering = .greaterEqual
            }
            return (.ordering(ordering, lhs, rhs), .bool)
        case .in:
            switch rightType {
            case .list(let element):
                guard leftType.isCompatible(with: element) || element == .null || leftType == .null
                    || (Self.family(leftType) == .numeric && Self.family(element) == .numeric) else {
                    throw overloadFailure(node.offset, name, leftType, rightType)
                }
            case .map:
                guard leftType.allows({ $0 == .string }) else { throw overloadFailure(node.offset, name, leftType, rightType) }
            case .dyn:
                break
            default:
                throw overloadFailure(node.offset, name, leftType, rightType)
            }
            return (.membership(lhs, in: rhs), .bool)
        case .add, .subtract, .multiply, .divide, .remainder:
            let allowed: (ExpressionType) -> Bool
            switch op {
            case .add: allowed = { t in
                switch t { case .int, .double, .string, .list: return true; default: return false }
            }
            case .remainder: allowed = { $0 == .int }
            default: allowed = { $0 == .int || $0 == .double }
            }
            let result: ExpressionType
            switch (leftType, rightType) {
            case (.dyn, .dyn): result = .dyn
            case (.dyn, let other), (let other, .dyn):
                guard allowed(other) else { throw overloadFailure(node.offset, name, leftType, rightType) }
                result = other
            case (.list(let a), .list(let b)) where op == .add: result = .list(a.joined(with: b))
            default:
                guard leftType == rightType, allowed(leftType) else { throw overloadFailure(node.offset, name, leftType, rightType) }
                result = leftType
            }
            let arithmetic: Instruction.Arithmetic
            switch op {
            case .add: arithmetic = .add
            case .subtract: arithmetic = .subtract
            case .multiply: arithmetic = .multiply
            case .divide: arithmetic = .divide
            default: arithmetic = .remainder
            }
            return (.arithmetic(arithmetic, lhs, rhs), result)
        }
    }

    private mutating func checkCall(_ node: ExpressionSyntax, _ function: String, _ target: ExpressionSyntax?, _ arguments: [ExpressionSyntax]) throws(ExpressionError) -> (Instruction, ExpressionType) {
        if target == nil, function == "has" {
            guard arguments.count == 1, case .select(let base, let field) = arguments[0].kind else {
                throw failure(node.offset, "has() takes a single field selection, e.g. has(data.field)")
            }
            let (instruction, type) = try check(base)
            guard type.allows({ if case .map = $0 { return true } else { return false } }) else {
                throw failure(arguments[0].offset, "type '\(type)' has no field '\(field)'")
            }
            return (.has(instruction, field: field), .bool)
        }
        if let target, function == "exists" || function == "all" {
            return try checkComprehension(node, function, target, arguments)
        }
        let known = target == nil ? Self.globalFunctions : Self.memberFunctions
        guard known.contains(function) else {
            let form = target == nil ? "function" : "method"
            throw failure(node.offset, "no such \(form) '\(function)'" + Self.didYouMean(function, known))
        }
        var operands: [ExpressionSyntax] = []
        if let target { operands.append(target) }
        operands.append(contentsOf: arguments)
        var instructions: [Instruction] = []
        var types: [ExpressionType] = []
        for operand in operands {
            let (instruction, type) = try check(operand)
            instructions.append(instruction)
            types.append(type)
        }
        let displayName = target == nil ? function : "." + function
        func require(_ count: Int, _ predicates: [(ExpressionType) -> Bool]) throws(ExpressionError) {
            guard types.count == count else {
                throw failure(node.offset, "'\(function)' takes \(count - (target == nil ? 0 : 1)) argument(s)")
            }
            for (type, predicate) in zip(types, predicates) where !type.allows(predicate) {
                throw overloadFailure(node.offset, displayName, types)
            }
        }
        let isString: (ExpressionType) -> Bool = { $0 == .string }
        guard let builtin = Instruction.Builtin(rawValue: function) else {
            throw failure(node.offset, "no such function '\(function)'")
        }
        switch builtin {
        case .size:
            try require(1, [{ t in
                switch t { case .string, .list, .map: return true; default: return false }
            }])
            return (.call(.size, instructions), .int)
        case .startsWith, .endsWith, .contains:
            try require(2, [isString, isString])
            return (.call(builtin, instructions), .bool)
        case .matches:
            try require(2, [isString, isString])
            if case .constant(.string(let pattern)) = instructions[1] {
                do {
                    return (.matchesPattern(instructions[0], try ExpressionPattern(pattern)), .bool)
                } catch {
                    throw failure(operands[1].offset, "invalid regular expression '\(pattern)'")
                }
            }
            return (.call(.matches, instructions), .bool)
        case .lowerAscii:
            try require(1, [isString])
            return (.call(.lowerAscii, instructions), .string)
        case .int:
            try require(1, [{ $0 == .int || $0 == .double || $0 == .string }])
            return (.call(.int, instructions), .int)
        case .double:
            try require(1, [{ $0 == .int || $0 == .double || $0 == .string }])
            return (.call(.double, instructions), .double)
        case .string:
            try require(1, [{ $0 == .int || $0 == .double || $0 == .string || $0 == .bool }])
            return (.call(.string, instructions), .string)
        }
    }

    private mutating func checkComprehension(_ node: ExpressionSyntax, _ function: String, _ target: ExpressionSyntax, _ arguments: [ExpressionSyntax]) throws(ExpressionError) -> (Instruction, ExpressionType) {
        guard arguments.count == 2, case .identifier(let variable) = arguments[0].kind else {
            throw failure(node.offset, "\(function)() takes a variable name and a predicate, e.g. \(function)(x, x > 0)")
        }
        let (range, rangeType) = try check(target)
        let elementType: ExpressionType
        switch rangeType {
        case .list(let element): elementType = element
        case .map: elementType = .string
        case .dyn: elementType = .dyn
        default: throw failure(node.offset, "\(function)() needs a list or map, got \(rangeType)")
        }
        let slot = localCount
        localCount += 1
        scope.append(Local(name: variable, type: elementType, slot: slot))
        let (predicate, predicateType) = try check(arguments[1])
        scope.removeLast()
        guard predicateType.allows({ $0 == .bool }) else {
            throw failure(arguments[1].offset, "\(function)() predicate must be bool, got \(predicateType)")
        }
        return (.comprehension(function == "exists" ? .exists : .all, range: range, local: slot, predicate: predicate), .bool)
    }
}
