/// The static imports of the console's ES modules, followed to the end: every module a view
/// needs before it can run. The page lists them per view, so that the router asks for all of them
/// at once (`<link rel=modulepreload>`) instead of discovering them one import level at a time.
enum ModuleGraph {
    /// For each module under `js/views/`, every module it imports statically, directly or not,
    /// as paths from the assets folder (`js/components/timeline.js`), sorted. `sources` maps each
    /// module's path to its text.
    static func viewDependencies(_ sources: [String: String]) -> [String: [String]] {
        var direct: [String: [String]] = [:]
        for (path, text) in sources {
            direct[path] = imports(in: text).compactMap { resolve($0, from: path) }.filter { sources[$0] != nil }
        }
        var result: [String: [String]] = [:]
        for path in sources.keys where path.hasPrefix("js/views/") {
            var seen: Set<String> = []
            var pending = direct[path] ?? []
            while let next = pending.popLast() {
                guard seen.insert(next).inserted else { continue }
                pending += direct[next] ?? []
            }
            seen.remove(path)
            result[path] = seen.sorted()
        }
        return result
    }

    /// `path` and every module it imports statically, directly or not.
    static func closure(of path: String, _ sources: [String: String]) -> Set<String> {
        var seen: Set<String> = []
        var pending = [path]
        while let next = pending.popLast() {
            guard sources[next] != nil, seen.insert(next).inserted else { continue }
            pending += imports(in: sources[next] ?? "").compactMap { resolve($0, from: next) }
        }
        return seen
    }

    /// The relative specifiers of `import … from '…'`, `export … from '…'` and `import '…'`
    /// (not `import('…')`, which loads later, on demand).
    /// The parts a module loads messages for, by `loadMessages('<part>')`: their catalogs are
    /// `i18n/<part>/<locale>.js`.
    static func messageParts(in source: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(source)
        while let call = rest.range(of: "loadMessages('") {
            rest = rest[call.upperBound...]
            guard let end = rest.firstIndex(of: "'") else { break }
            parts.append(String(rest[..<end]))
            rest = rest[end...]
        }
        return parts
    }

    static func imports(in source: String) -> [String] {
        var specifiers: [String] = []
        var statement = ""
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if statement.isEmpty {
                guard trimmed.hasPrefix("import ") || trimmed.hasPrefix("import{") || trimmed.hasPrefix("import'")
                        || trimmed.hasPrefix("import\"") || trimmed.hasPrefix("export ") else { continue }
            }
            statement += String(trimmed) + " "
            // A statement ends at its module specifier, or (an export of a declaration) at once.
            if let specifier = specifier(in: statement) {
                specifiers.append(specifier)
                statement = ""
            } else if statement.hasPrefix("export ") && !statement.contains("{") && !statement.contains("*") {
                statement = ""
            } else if trimmed.hasSuffix(";") {
                statement = ""
            }
        }
        return specifiers.filter { $0.hasPrefix("./") || $0.hasPrefix("../") }
    }

    /// The quoted specifier after `from`, or of a bare `import '…'`.
    private static func specifier(in statement: String) -> String? {
        let text = Substring(statement)
        let start: Substring.Index
        if let from = text.range(of: " from ") ?? text.range(of: "}from ") {
            start = from.upperBound
        } else if text.hasPrefix("import '") || text.hasPrefix("import \"") {
            start = text.index(text.startIndex, offsetBy: 7)
        } else {
            return nil
        }
        let rest = text[start...].drop { $0 == " " }
        guard let quote = rest.first, quote == "'" || quote == "\"" else { return nil }
        let body = rest.dropFirst()
        guard let end = body.firstIndex(of: quote) else { return nil }
        return String(body[..<end])
    }

    /// `specifier` relative to the module at `path`, as a path from the assets folder.
    static func resolve(_ specifier: String, from path: String) -> String? {
        var parts = path.split(separator: "/").map(String.init)
        parts.removeLast()
        for part in specifier.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }
}
