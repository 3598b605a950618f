/// The XML namespaces a BPMN file's elements come from.
public enum BPMNNamespace {
    /// BPMN 2.0 semantic elements.
    public static let model = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    /// BPMN DI: shapes and edges.
    public static let diagram = "http://www.omg.org/spec/BPMN/20100524/DI"
    /// Diagram Common: bounds.
    public static let diagramCommon = "http://www.omg.org/spec/DD/20100524/DC"
    /// Diagram Interchange: waypoints.
    public static let diagramInterchange = "http://www.omg.org/spec/DD/20100524/DI"
    /// Camunda 8 (Zeebe) extensions, read so that Camunda Modeler's files run as drawn.
    public static let zeebe = "http://camunda.org/schema/zeebe/1.0"
    /// Rapport's own extensions (`rapport:taskDefinition`, `rapport:assignment`).
    public static let rapport = "urn:rapport:bpmn:1.0"
}
