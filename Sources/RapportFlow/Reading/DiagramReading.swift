/// Reads the BPMN DI of a file: each drawn element's bounds or waypoints, on the planes of its
/// processes (or collaboration). The plane a modeler gives a collapsed subprocess's content has
/// coordinates of its own, so it is left out: the subprocess is drawn as one box.
enum DiagramReading {
    static func layout(of definitions: XMLElementNode) -> DiagramLayout {
        var layout = DiagramLayout()
        var subprocesses: Set<String> = []
        func collect(_ element: XMLElementNode) {
            for child in element.children where child.namespace == BPMNNamespace.model {
                if child.localName == "subProcess", let id = child.attribute("id") { subprocesses.insert(id) }
                collect(child)
            }
        }
        collect(definitions)
        for diagram in definitions.children("BPMNDiagram", namespace: BPMNNamespace.diagram) {
            for plane in diagram.children("BPMNPlane", namespace: BPMNNamespace.diagram)
            where !subprocesses.contains(plane.attribute("bpmnElement") ?? "") {
                for element in plane.children {
                    guard element.namespace == BPMNNamespace.diagram, let drawn = element.attribute("bpmnElement") else { continue }
                    if element.localName == "BPMNShape", let bounds = element.child("Bounds", namespace: BPMNNamespace.diagramCommon),
                       let x = number(bounds, "x"), let y = number(bounds, "y"),
                       let width = number(bounds, "width"), let height = number(bounds, "height") {
                        layout.shapes[drawn] = DiagramLayout.Bounds(x: x, y: y, width: width, height: height)
                    } else if element.localName == "BPMNEdge" {
                        layout.edges[drawn] = element.children("waypoint", namespace: BPMNNamespace.diagramInterchange).compactMap { point in
                            guard let x = number(point, "x"), let y = number(point, "y") else { return nil }
                            return DiagramLayout.Point(x: x, y: y)
                        }
                    }
                }
            }
        }
        return layout
    }

    private static func number(_ element: XMLElementNode, _ name: String) -> Double? {
        element.attribute(name).flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil }
    }
}
