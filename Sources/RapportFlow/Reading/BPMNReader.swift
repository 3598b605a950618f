import RapportCore

/// Reads a BPMN 2.0 file into deployable processes, or says everything that keeps it from running.
///
/// Elements that would change how a process runs but that Rapport does not run yet are refused with
/// their name and line, never skipped; elements without execution semantics (documentation, lanes,
/// data objects, annotations, the diagram) are accepted.
public enum BPMNReader {
    public static func read(_ text: String) throws(BPMNProblems) -> BPMNDocument {
        let root: XMLElementNode
        do {
            root = try XMLReader.parse(text)
        } catch {
            throw BPMNProblems([BPMNProblem(elementID: nil, line: error.line, message: "not well-formed XML: \(error.message) (column \(error.column))")])
        }
        guard root.namespace == BPMNNamespace.model, root.localName == "definitions" else {
            throw BPMNProblems([BPMNProblem(elementID: nil, line: root.line,
                                            message: "the root element is <\(root.qualifiedName)>, not BPMN 2.0's <definitions> (namespace \(BPMNNamespace.model))")])
        }
        var problems: [BPMNProblem] = []
        var processes: [ProcessDefinition] = []
        let processElements = root.children("process", namespace: BPMNNamespace.model)
        let roots = RootElements(of: root)
        for element in processElements where element.attribute("isExecutable") != "false" {
            var reading = ProcessReading(element: element, roots: roots)
            if let process = reading.read() { processes.append(process) }
            problems += reading.problems
        }
        if processElements.isEmpty {
            problems.append(BPMNProblem(elementID: root.attribute("id"), line: root.line, message: "the file has no <process>"))
        } else if processes.isEmpty && problems.isEmpty {
            let first = processElements[0]
            problems.append(BPMNProblem(elementID: first.attribute("id"), line: first.line,
                                        message: #"no process is executable: set isExecutable="true" on the process to run"#))
        }
        guard problems.isEmpty else { throw BPMNProblems(problems) }
        return BPMNDocument(processes: processes, diagram: DiagramReading.layout(of: root))
    }
}
