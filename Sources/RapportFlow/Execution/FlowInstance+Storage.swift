import RapportCore

/// How an instance's state is kept: `{"variables": {…}, "tokens": [[id, node, state, detail], …], "next_token": n}`
/// with nodes by position in their (immutable) definition and states as short codes.
extension FlowInstance {
    public var storedJSON: JSONValue {
        .object([
            "variables": .object(JSONObject(sortingKeysOf: variables)),
            "tokens": .array(tokens.map { token in
                switch token.state {
                case .waiting: return [.integer(Int64(token.id)), .integer(Int64(token.node)), "w"]
                case .joining(let flow): return [.integer(Int64(token.id)), .integer(Int64(token.node)), "j", .integer(Int64(flow))]
                case .incident(let message): return [.integer(Int64(token.id)), .integer(Int64(token.node)), "i", .string(message)]
                }
            }),
            "next_token": .integer(Int64(nextTokenID)),
        ])
    }

    /// The instance kept as `storedJSON`, with `status`; nil when the text is not such a state or
    /// names a node the process does not have.
    public init?(stored: JSONValue, status: FlowInstanceStatus, nodeCount: Int, flowCount: Int) {
        guard let object = stored.objectValue, let variables = object["variables"]?.objectValue,
              let tokens = object["tokens"]?.arrayValue, let next = object["next_token"]?.intValue else { return nil }
        var decoded: [FlowToken] = []
        for token in tokens {
            guard let parts = token.arrayValue, parts.count >= 3, let id = parts[0].intValue, let node = parts[1].intValue,
                  (0..<Int64(nodeCount)).contains(node), let code = parts[2].stringValue else { return nil }
            let state: FlowTokenState
            switch code {
            case "w": state = .waiting
            case "j":
                guard parts.count == 4, let flow = parts[3].intValue, (0..<Int64(flowCount)).contains(flow) else { return nil }
                state = .joining(flow: Int(flow))
            case "i":
                guard parts.count == 4, let message = parts[3].stringValue else { return nil }
                state = .incident(message)
            default: return nil
            }
            decoded.append(FlowToken(id: Int(id), node: Int(node), state: state))
        }
        self.init(status: status, variables: variables.dictionary,
                  tokens: decoded, nextTokenID: Int(next))
    }
}
