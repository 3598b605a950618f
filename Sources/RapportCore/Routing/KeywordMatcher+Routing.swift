extension KeywordMatcher: KeywordFinding {
    /// Keyword set name → the terms found, with Unicode scalar offsets into `text`.
    public func hits(in text: String) -> [String: [KeywordHit]] {
        var hits: [String: [KeywordHit]] = [:]
        for match in matches(in: text) {
            hits[match.set, default: []].append(KeywordHit(term: match.term, start: match.start, end: match.end))
        }
        return hits
    }
}

extension KeywordSetDefinition {
    /// Reads the body of `PUT /v1/keyword-sets/{name}`: `terms` (required) and `whole_words`,
    /// and checks the set by compiling it, so every bad term is reported as `terms[i]`.
    public static func read(_ value: JSONValue, name: String) throws(ValidationFailure) -> KeywordSetDefinition {
        var reader = try InputReader(value)
        var terms: [String] = []
        // Where each kept term stood in the request, so problems name the request's index.
        var positions: [Int] = []
        if let raw = reader.value("terms") {
            if case .array(let items) = raw {
                if items.count > KeywordMatcher.maxTermsPerSet {
                    reader.fail("terms", "must have at most \(KeywordMatcher.maxTermsPerSet) terms")
                }
                for (index, item) in items.prefix(KeywordMatcher.maxTermsPerSet).enumerated() {
                    if case .string(let term) = item {
                        terms.append(term)
                        positions.append(index)
                    } else {
                        reader.fail("terms[\(index)]", "expected a string, got \(item.typeName)")
                    }
                }
            } else {
                reader.fail("terms", "expected an array of strings, got \(raw.typeName)")
            }
        } else {
            reader.fail("terms", "is required")
        }
        let wholeWords = reader.bool("whole_words") ?? false
        let definition = KeywordSetDefinition(name: name, terms: terms, wholeWords: wholeWords)
        do throws(KeywordSetError) {
            _ = try KeywordMatcher(sets: [definition])
        } catch {
            for problem in error.problems {
                reader.fail(requestPath(problem.path, positions: positions), problem.message)
            }
        }
        try reader.finish()
        return definition
    }

    /// `sets[0].terms[k]` → `terms[i]`, where `i` is the k-th string term's index in the request.
    static func requestPath(_ path: String, positions: [Int]) -> String {
        let local = path.hasPrefix("sets[0].") ? String(path.dropFirst("sets[0].".count)) : path
        guard local.hasPrefix("terms["), local.hasSuffix("]"), let k = Int(local.dropFirst(6).dropLast()), k < positions.count else {
            return local
        }
        return "terms[\(positions[k])]"
    }
}

extension KeywordSetDefinition {
    /// True for names the API accepts: 1 to 64 of `a`–`z`, `0`–`9`, `_`, `.` and `-`.
    public static func isValidName(_ name: String) -> Bool {
        KeywordSetCompilation.isValidName(name)
    }
}
