/// A deployable BPMN file: its executable processes and the diagram drawn for them.
public struct BPMNDocument: Sendable {
    public let processes: [ProcessDefinition]
    /// Where the modeler drew each element (BPMN DI), kept to draw the process again.
    public let diagram: DiagramLayout

    /// The process with this id.
    public func process(_ id: String) -> ProcessDefinition? {
        processes.first { $0.id == id }
    }
}

/// The BPMN DI of a file: a shape's bounds and an edge's waypoints, by the id of the element drawn.
public struct DiagramLayout: Sendable, Equatable {
    public struct Bounds: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double

        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public var shapes: [String: Bounds]
    public var edges: [String: [Point]]

    public init(shapes: [String: Bounds] = [:], edges: [String: [Point]] = [:]) {
        self.shapes = shapes
        self.edges = edges
    }
}
