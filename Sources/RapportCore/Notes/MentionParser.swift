/// What can be mentioned in a note.
public enum MentionKind: String, Sendable, CaseIterable {
    case user
    case department
    case queue
}

/// A mention as written in a note's text, before it is looked up.
public struct MentionToken: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        /// `@[Li Wei](user:usr_…)`: what the console's autocomplete inserts.
        case explicit(kind: MentionKind, id: String, name: String)
        /// `@sales`, `@ana.lima`, `@李伟`: typed by hand.
        case handle(String)
    }

    /// The text as written, `@` included.
    public var text: String
    public var target: Target

    public init(text: String, target: Target) {
        self.text = text
        self.target = target
    }
}

/// Finds the mentions in a note's Markdown: `@[name](kind:id)` and `@handle`, where a handle is
/// letters of any script, digits, `.`, `_` and `-`, and the `@` starts the text or follows a
/// space or punctuation (so `ana@example.com` is an address, not a mention). Nothing inside
/// code (`` `…` `` or a fenced block) is a mention.
public enum MentionParser {
    public static func tokens(in text: String) -> [MentionToken] {
        var tokens: [MentionToken] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.drop(while: { $0 == " " }).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            if inFence { continue }
            tokens += lineTokens(Array(line))
        }
        return tokens
    }

    private static func lineTokens(_ characters: [Character]) -> [MentionToken] {
        var tokens: [MentionToken] = []
        var inCode = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "`" {
                inCode.toggle()
                index += 1
                continue
            }
            guard !inCode, character == "@", index == 0 || startsMention(after: characters[index - 1]) else {
                index += 1
                continue
            }
            if let (token, end) = explicit(in: characters, at: index) ?? handle(in: characters, at: index) {
                tokens.append(token)
                index = end
            } else {
                index += 1
            }
        }
        return tokens
    }

    /// `@[name](kind:id)` starting at `start`; the token and the index after it.
    private static func explicit(in characters: [Character], at start: Int) -> (MentionToken, Int)? {
        guard start + 1 < characters.count, characters[start + 1] == "[" else { return nil }
        guard let close = characters[(start + 2)...].firstIndex(of: "]"), close - start - 2 <= 200,
              close + 1 < characters.count, characters[close + 1] == "(",
              let end = characters[(close + 2)...].firstIndex(of: ")"), end - close <= 120 else { return nil }
        let name = String(characters[(start + 2)..<close]).trimmingWhitespace()
        let reference = String(characters[(close + 2)..<end])
        let parts = reference.split(separator: ":", maxSplits: 1)
        guard !name.isEmpty, parts.count == 2, let kind = MentionKind(rawValue: String(parts[0])),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
        let text = String(characters[start...end])
        return (MentionToken(text: text, target: .explicit(kind: kind, id: String(parts[1]), name: name)), end + 1)
    }

    /// `@handle` starting at `start`, without trailing `.`, `-` or `_` (the end of a sentence).
    private static func handle(in characters: [Character], at start: Int) -> (MentionToken, Int)? {
        var end = start + 1
        while end < characters.count, isHandleCharacter(characters[end]) { end += 1 }
        while end > start + 1, ".-_".contains(characters[end - 1]) { end -= 1 }
        guard end > start + 1 else { return nil }
        let handle = String(characters[(start + 1)..<end])
        return (MentionToken(text: "@" + handle, target: .handle(handle)), end)
    }

    static func isHandleCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "." || character == "_" || character == "-"
    }

    private static func startsMention(after previous: Character) -> Bool {
        !(previous.isLetter || previous.isNumber || previous == "_" || previous == "@" || previous == "." || previous == "-")
    }
}
