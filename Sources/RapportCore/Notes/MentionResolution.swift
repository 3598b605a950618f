/// A mention found in the directory.
public struct ResolvedMention: Sendable, Equatable {
    public var kind: MentionKind
    public var id: String
    public var name: String
    public var text: String

    public init(kind: MentionKind, id: String, name: String, text: String) {
        self.kind = kind
        self.id = id
        self.name = name
        self.text = text
    }

    public init?(_ value: JSONValue) {
        guard let object = value.objectValue, let kind = object["kind"]?.stringValue.flatMap(MentionKind.init(rawValue:)),
              let id = object["id"]?.stringValue, let name = object["name"]?.stringValue, let text = object["text"]?.stringValue else { return nil }
        self.init(kind: kind, id: id, name: name, text: text)
    }

    public var json: JSONValue {
        ["kind": .string(kind.rawValue), "id": .string(id), "name": .string(name), "text": .string(text)]
    }
}

/// A mention kept as text, and why.
public struct UnresolvedMention: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// No user, department or queue by that handle or id.
        case unknown
        /// Several of them answer to the handle.
        case ambiguous
        /// The note is private to a department the mentioned one is not in.
        case cannotSee = "cannot_see"
        /// Beyond the 25 mentions a note may make.
        case tooMany = "too_many"
    }

    public var text: String
    public var reason: Reason

    public init(text: String, reason: Reason) {
        self.text = text
        self.reason = reason
    }

    public init?(_ value: JSONValue) {
        guard let object = value.objectValue, let text = object["text"]?.stringValue,
              let reason = object["reason"]?.stringValue.flatMap(Reason.init(rawValue:)) else { return nil }
        self.init(text: text, reason: reason)
    }

    public var json: JSONValue { ["text": .string(text), "reason": .string(reason.rawValue)] }
}

/// Looks a note's mentions up: each distinct user, department or queue once, at most
/// `maxMentions`; what cannot be found (or may not see a private note) is kept as text and reported.
public enum MentionResolution {
    /// As Salesforce Chatter allows in a post.
    public static let maxMentions = 25

    public static func resolve(_ tokens: [MentionToken], in directory: MentionDirectory,
                               privateTo departmentID: String?) -> (resolved: [ResolvedMention], unresolved: [UnresolvedMention]) {
        var resolved: [ResolvedMention] = []
        var unresolved: [UnresolvedMention] = []
        var seen: Set<String> = []
        for token in tokens {
            let found: (MentionDirectory.Entry, String)
            switch lookUp(token, in: directory) {
            case .success(let entry): found = entry
            case .failure(let reason):
                if !unresolved.contains(where: { $0.text == token.text }) { unresolved.append(UnresolvedMention(text: token.text, reason: reason)) }
                continue
            }
            let (entry, text) = found
            guard seen.insert("\(entry.kind.rawValue):\(entry.id)").inserted else { continue }
            if let departmentID, entry.departmentID != departmentID {
                unresolved.append(UnresolvedMention(text: text, reason: .cannotSee))
            } else if resolved.count == maxMentions {
                unresolved.append(UnresolvedMention(text: text, reason: .tooMany))
            } else {
                resolved.append(ResolvedMention(kind: entry.kind, id: entry.id, name: entry.name, text: text))
            }
        }
        return (resolved, unresolved)
    }

    private enum LookUp {
        case success((MentionDirectory.Entry, String))
        case failure(UnresolvedMention.Reason)
    }

    private static func lookUp(_ token: MentionToken, in directory: MentionDirectory) -> LookUp {
        switch token.target {
        case .explicit(let kind, let id, _):
            guard let entry = directory.entry(kind: kind, id: id) else { return .failure(.unknown) }
            return .success((entry, token.text))
        case .handle(let handle):
            let found = directory.entries(handle: handle)
            if found.count == 1 { return .success((found[0], token.text)) }
            if found.count > 1 { return .failure(.ambiguous) }
            // Chinese is written without spaces: "@李伟请看" names 李伟. Take the longest start of the
            // handle that is someone's handle, when the handle is not in Latin letters.
            guard let first = handle.unicodeScalars.first, !first.isASCII else { return .failure(.unknown) }
            var prefix = Substring(handle).dropLast()
            while !prefix.isEmpty {
                let found = directory.entries(handle: String(prefix))
                if found.count == 1 { return .success((found[0], "@" + prefix)) }
                if found.count > 1 { return .failure(.ambiguous) }
                prefix = prefix.dropLast()
            }
            return .failure(.unknown)
        }
    }
}
