/// An element of a parsed XML document, with namespaces resolved and the line it starts on.
///
/// Only what a BPMN reader needs is kept: elements, attributes and character data. Comments and
/// processing instructions are dropped; CDATA becomes text.
public struct XMLElementNode: Sendable, Equatable {
    /// The namespace URI the element's prefix (or the default namespace) stands for, if any.
    public var namespace: String?
    public var localName: String
    /// The name as written, with its prefix (`bpmn:task`).
    public var qualifiedName: String
    public var attributes: [XMLAttribute]
    public var children: [XMLElementNode]
    /// The character data directly inside this element (not its children's), entities replaced.
    public var text: String
    /// The 1-based line of the element's `<`.
    public var line: Int

    public init(namespace: String?, localName: String, qualifiedName: String, attributes: [XMLAttribute],
                children: [XMLElementNode], text: String, line: Int) {
        self.namespace = namespace
        self.localName = localName
        self.qualifiedName = qualifiedName
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// The value of an attribute without a namespace (`id="…"`), or of one in `namespace`.
    public func attribute(_ localName: String, namespace: String? = nil) -> String? {
        attributes.first { $0.localName == localName && $0.namespace == namespace }?.value
    }

    /// The child elements in `namespace` named `localName`, in document order.
    public func children(_ localName: String, namespace: String?) -> [XMLElementNode] {
        children.filter { $0.localName == localName && $0.namespace == namespace }
    }

    /// The first child element in `namespace` named `localName`.
    public func child(_ localName: String, namespace: String?) -> XMLElementNode? {
        children.first { $0.localName == localName && $0.namespace == namespace }
    }
}

/// An attribute with its namespace resolved (unprefixed attributes have none).
public struct XMLAttribute: Sendable, Equatable {
    public var namespace: String?
    public var localName: String
    public var qualifiedName: String
    public var value: String

    public init(namespace: String?, localName: String, qualifiedName: String, value: String) {
        self.namespace = namespace
        self.localName = localName
        self.qualifiedName = qualifiedName
        self.value = value
    }
}

/// Why a document is not well-formed XML, and where.
public struct XMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
