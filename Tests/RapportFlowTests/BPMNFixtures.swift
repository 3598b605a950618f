import Foundation
import RapportCore
import RapportFlow
import Testing

/// BPMN texts for the tests: a process body wrapped in definitions, and the files kept in the repository.
enum BPMNFixtures {
    /// `roots`: elements beside the process (`<bpmn:signal>`, `<bpmn:error>`, `<bpmn:message>`, …).
    static func definitions(_ processBody: String, processID: String = "p", extraNamespaces: String = "", roots: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" \(extraNamespaces) id="d" targetNamespace="urn:test">
        \(roots)<bpmn:process id="\(processID)" isExecutable="true">
        \(processBody)
        </bpmn:process>
        </bpmn:definitions>
        """
    }

    /// Reads one process, failing the test with every problem when it does not deploy.
    static func process(_ processBody: String, roots: String = "") throws -> ProcessDefinition {
        try #require(BPMNReader.read(definitions(processBody, roots: roots)).processes.first)
    }

    static func timer(_ duration: String) -> String {
        "<bpmn:timerEventDefinition><bpmn:timeDuration>\(duration)</bpmn:timeDuration></bpmn:timerEventDefinition>"
    }

    static func flow(_ id: String, _ source: String, _ target: String, condition: String? = nil) -> String {
        guard let condition else { return #"<bpmn:sequenceFlow id="\#(id)" sourceRef="\#(source)" targetRef="\#(target)"/>"# }
        let escaped = condition.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return #"<bpmn:sequenceFlow id="\#(id)" sourceRef="\#(source)" targetRef="\#(target)"><bpmn:conditionExpression>\#(escaped)</bpmn:conditionExpression></bpmn:sequenceFlow>"#
    }

    static func serviceTask(_ id: String, type: String = "work") -> String {
        #"<bpmn:serviceTask id="\#(id)"><bpmn:extensionElements><rapport:taskDefinition type="\#(type)"/></bpmn:extensionElements></bpmn:serviceTask>"#
    }

    static func script(_ id: String, _ lines: String) -> String {
        #"<bpmn:scriptTask id="\#(id)" scriptFormat="cel"><bpmn:script>\#(lines.replacingOccurrences(of: "<", with: "&lt;"))</bpmn:script></bpmn:scriptTask>"#
    }

    static func repositoryFile(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static let epoch = Timestamp(microseconds: 1_800_000_000_000_000)
}
