import RapportCore

/// How an instance's state is kept: `{"variables": {…}, "tokens": [[id, node, state, detail, scope, locals], …], "next_token": n}`
/// (and `"called": true` for an instance a call activity started)
/// with nodes by position in their (immutable) definition and states as short codes; `detail` is
/// there for joining and incident tokens, `scope` for tokens inside a subprocess or multi-instance
/// activity and `locals` for tokens with variables of their own (each null when absent and
/// something follows; trailing ones left out).
extension FlowInstance {
    public var storedJSON: JSONValue {
        var stored: JSONObject = [
            "variables": .object(JSONObject(sortingKeysOf: variables)),
            "tokens": .array(tokens.map { token in
                var parts: [JSONValue] = [.integer(Int64(token.id)), .integer(Int64(token.node))]
                switch token.state {
                case .waiting: parts += ["w", .null]
                case .joining(let flow): parts += ["j", .integer(Int64(flow))]
                case .incident(let message): parts += ["i", .string(message)]
                }
                parts.append(token.scope.map { .integer(Int64($0)) } ?? .null)
                parts.append(token.locals.isEmpty ? .null : .object(JSONObject(sortingKeysOf: token.locals)))
                while parts.count > 3, parts.last == .null { parts.removeLast() }
                return .array(parts)
            }),
            "next_token": .integer(Int64(nextTokenID)),
        ]
        if called { stored["called"] = true }
        return .object(stored)
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
                guard parts.count >= 4, let flow = parts[3].intValue, (0..<Int64(flowCount)).contains(flow) else { return nil }
                state = .joining(flow: Int(flow))
            case "i":
                guard parts.count >= 4, let message = parts[3].stringValue else { return nil }
                state = .incident(message)
            default: return nil
            }
            var scope: Int?
            var locals: [String: JSONValue] = [:]
            guard parts.count <= 6 else { return nil }
            if parts.count >= 5, parts[4] != .null {
                guard let holder = parts[4].intValue else { return nil }
                scope = Int(holder)
            }
            if parts.count == 6 {
                guard let object = parts[5].objectValue else { return nil }
                locals = object.dictionary
            }
            decoded.append(FlowToken(id: Int(id), node: Int(node), state: state, scope: scope, locals: locals))
        }
        self.init(status: status, variables: variables.dictionary,
                  tokens: decoded, nextTokenID: Int(next), called: object["called"] == true)
    }
}
