import RapportCore

/// One executable process of a BPMN document: its flow nodes and sequence flows, addressed by
/// position so that running an instance compares integers, not ids.
public struct ProcessDefinition: Sendable {
    /// The process element's `id` (the key instances are started by).
    public let id: String
    public let name: String?
    public let nodes: [FlowNode]
    public let flows: [SequenceFlow]
    /// The process's none start events, where `start` puts the first token.
    public let noneStarts: [Int]
    /// The start events that CRM events matching their condition start (conditional start events).
    public let eventStarts: [Int]
    /// The message start events: a message of that name starts an instance there.
    public let messageStarts: [Int]
    /// The signal start events: a signal of that name broadcast starts an instance there.
    public let signalStarts: [Int]
    /// The timer start events.
    public let timerStarts: [Int]
    /// Whether some catch or boundary event waits for a condition over the variables.
    let hasConditionalEvents: Bool
    /// Whose opening hours its timers count in: the caller gives the engine each one's hours.
    public let businessHours: Set<BusinessHoursReference>
    private let nodeIndex: [String: Int]
    /// For each node, the nodes a token there can still arrive at (itself excluded unless on a cycle).
    let reachable: [NodeSet]
    /// The event subprocesses of each scope, by the position of the subprocess around them (-1:
    /// the process itself).
    private let eventSubprocessesByScope: [Int: [Int]]

    init(id: String, name: String?, nodes: [FlowNode], flows: [SequenceFlow]) {
        self.id = id
        self.name = name
        self.nodes = nodes
        self.flows = flows
        noneStarts = nodes.indices.filter { if case .startEvent = nodes[$0].kind { return nodes[$0].parent == nil } else { return false } }
        eventStarts = nodes.indices.filter { if case .eventStart = nodes[$0].kind { return true } else { return false } }
        messageStarts = nodes.indices.filter { if case .messageStart = nodes[$0].kind { return true } else { return false } }
        signalStarts = nodes.indices.filter { if case .signalStart = nodes[$0].kind { return true } else { return false } }
        timerStarts = nodes.indices.filter { if case .timerStart = nodes[$0].kind { return true } else { return false } }
        hasConditionalEvents = nodes.contains { node in
            switch node.kind {
            case .catchEvent(.conditional), .boundaryEvent(.conditional, _, _): true
            default: false
            }
        }
        businessHours = Set(nodes.compactMap { $0.kind.timer?.businessHours })
        nodeIndex = Dictionary(nodes.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        reachable = Self.reachability(nodes: nodes, flows: flows)
        var byScope: [Int: [Int]] = [:]
        for position in nodes.indices {
            if case .eventSubProcess = nodes[position].kind { byScope[nodes[position].parent ?? -1, default: []].append(position) }
        }
        eventSubprocessesByScope = byScope
    }

    /// The event subprocesses directly in the subprocess at `scope` (nil: in the process).
    public func eventSubprocesses(in scope: Int?) -> [Int] {
        eventSubprocessesByScope[scope ?? -1] ?? []
    }

    /// The position of the node with this id.
    public func node(_ id: String) -> Int? { nodeIndex[id] }

    /// The message start event for messages of this name.
    public func messageStart(named name: String) -> Int? {
        messageStarts.first { if case .messageStart(name) = nodes[$0].kind { return true } else { return false } }
    }

    /// The signal start event for signals of this name.
    public func signalStart(named name: String) -> Int? {
        signalStarts.first { if case .signalStart(name) = nodes[$0].kind { return true } else { return false } }
    }

    private static func reachability(nodes: [FlowNode], flows: [SequenceFlow]) -> [NodeSet] {
        nodes.indices.map { start in
            var seen = NodeSet(count: nodes.count)
            // A token waiting at an activity may also leave through its boundary events; one at a
            // link throw event goes on at its catch.
            func successors(_ node: Int) -> [Int] {
                var next = nodes[node].outgoing.map { flows[$0].target } + nodes[node].boundaries
                if case .linkThrow(let target) = nodes[node].kind { next.append(target) }
                return next
            }
            var pending = successors(start)
            while let node = pending.popLast() {
                guard !seen.contains(node) else { continue }
                seen.insert(node)
                pending.append(contentsOf: successors(node))
            }
            return seen
        }
    }
}

/// A fixed-size set of node positions.
struct NodeSet: Sendable {
    private var words: [UInt64]

    init(count: Int) {
        words = Array(repeating: 0, count: (count + 63) / 64)
    }

    func contains(_ node: Int) -> Bool { words[node >> 6] & (1 << UInt64(node & 63)) != 0 }

    mutating func insert(_ node: Int) { words[node >> 6] |= 1 << UInt64(node & 63) }
}
