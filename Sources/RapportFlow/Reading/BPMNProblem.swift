/// Something in a BPMN file that keeps it from being deployed, named by element and line.
public struct BPMNProblem: Sendable, Equatable, CustomStringConvertible {
    /// The `id` of the element at fault, when it has one.
    public var elementID: String?
    /// The 1-based line of the element in the file.
    public var line: Int
    public var message: String

    public init(elementID: String?, line: Int, message: String) {
        self.elementID = elementID
        self.line = line
        self.message = message
    }

    public var description: String {
        "line \(line)" + (elementID.map { " (\($0))" } ?? "") + ": " + message
    }
}

/// Every problem found in a BPMN file, in document order.
public struct BPMNProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [BPMNProblem]

    public init(_ problems: [BPMNProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
