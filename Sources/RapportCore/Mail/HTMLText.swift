/// Reduces an HTML mail body to the text a person reads: tags dropped, `script`, `style`,
/// `head` and comments skipped, block elements on their own lines, entities decoded, runs of
/// whitespace collapsed. Quoted history in `<blockquote>` becomes `> ` lines, so the reply
/// separator treats HTML replies as it treats plain ones.
public enum HTMLText {
    public static func text(_ html: String) -> String {
        let scalars = Array(html.unicodeScalars)
        var output = String.UnicodeScalarView()
        var lines: [String] = []
        var quoteDepth = 0
        var lineQuoteDepth = 0
        var pendingSpace = false
        var preDepth = 0
        var noClosingBracket = false
        var index = 0

        /// Ends the line being written; `blank` (a `<br>` on an empty line) keeps an empty line.
        func endLine(blank: Bool = false) {
            let text = String(output).trimmingSpace()
            if !text.isEmpty {
                lines.append(String(repeating: "> ", count: lineQuoteDepth) + text)
            } else if blank, lines.last.map({ !$0.isEmpty }) ?? false {
                lines.append("")
            }
            output = String.UnicodeScalarView()
            pendingSpace = false
            lineQuoteDepth = quoteDepth
        }
        func append(_ scalar: Unicode.Scalar) {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                if preDepth > 0 {
                    if scalar == "\n" { endLine(blank: true) } else { output.append(" ") }
                } else {
                    pendingSpace = !output.isEmpty
                }
                return
            }
            if output.isEmpty { lineQuoteDepth = quoteDepth }
            if pendingSpace { output.append(" "); pendingSpace = false }
            output.append(scalar)
        }

        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<" {
                if startsWith(scalars, index, "<!--") {
                    index = find(scalars, from: index + 4, "-->").map { $0 + 3 } ?? scalars.count
                    continue
                }
                guard !noClosingBracket, let close = scalars[index...].firstIndex(of: ">") else {
                    noClosingBracket = true  // none further on either: the rest is text
                    append(scalar)
                    index += 1
                    continue
                }
                let tag = Tag(scalars[(index + 1)..<close])
                index = close + 1
                guard let name = tag.name else { continue }
                switch name {
                case "script", "style", "head", "title", "xml", "template":
                    if !tag.closing, !tag.selfClosing {
                        index = find(scalars, from: index, "</" + name, caseInsensitive: true)
                            .flatMap { start in scalars[start...].firstIndex(of: ">").map { $0 + 1 } } ?? scalars.count
                    }
                case "br":
                    endLine(blank: true)
                case "blockquote":
                    endLine()
                    quoteDepth = max(0, quoteDepth + (tag.closing ? -1 : 1))
                    lineQuoteDepth = quoteDepth
                case "pre":
                    endLine()
                    preDepth = max(0, preDepth + (tag.closing ? -1 : 1))
                case "li":
                    endLine()
                    if !tag.closing { for character in "- ".unicodeScalars { output.append(character) } }
                case "td", "th":
                    if !tag.closing { pendingSpace = !output.isEmpty }
                case "hr":
                    endLine()
                    lines.append("")
                default:
                    if blockElements.contains(name) {
                        endLine()
                        if paragraphElements.contains(name), lines.last.map({ !$0.isEmpty }) ?? false { lines.append("") }
                    }
                }
                continue
            }
            if scalar == "&", let (decoded, length) = entity(scalars, at: index) {
                for character in decoded.unicodeScalars { append(character == "\u{A0}" ? " " : character) }
                index += length
                continue
            }
            append(scalar)
            index += 1
        }
        endLine()
        // No more than one blank line in a row, none at either end.
        var result: [String] = []
        for line in lines {
            if line.isEmpty, result.last?.isEmpty ?? true { continue }
            result.append(line)
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n")
    }

    private static let blockElements: Set<String> = [
        "p", "div", "tr", "table", "tbody", "thead", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "header", "footer", "center", "address", "form", "fieldset", "figure", "figcaption", "main", "nav",
    ]
    private static let paragraphElements: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"]

    /// A tag's name (lowercased) and whether it closes or closes itself.
    struct Tag {
        var name: String?
        var closing = false
        var selfClosing = false

        init(_ body: ArraySlice<Unicode.Scalar>) {
            var index = body.startIndex
            if index < body.endIndex, body[index] == "/" { closing = true; index += 1 }
            if index < body.endIndex, body[index] == "!" || body[index] == "?" { name = nil; return }
            var text = ""
            while index < body.endIndex, body[index].properties.isAlphabetic || ("0"..."9").contains(body[index]) || body[index] == ":" {
                text.unicodeScalars.append(body[index])
                index += 1
            }
            name = text.isEmpty ? nil : text.lowercased()
            selfClosing = body.last == "/"
        }
    }

    private static func startsWith(_ scalars: [Unicode.Scalar], _ index: Int, _ text: String) -> Bool {
        var position = index
        for character in text.unicodeScalars {
            guard position < scalars.count, scalars[position] == character else { return false }
            position += 1
        }
        return true
    }

    private static func find(_ scalars: [Unicode.Scalar], from start: Int, _ text: String, caseInsensitive: Bool = false) -> Int? {
        let needle = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars)
        guard let first = needle.first, start < scalars.count else { return nil }
        var index = start
        while index + needle.count <= scalars.count {
            let candidate = caseInsensitive ? lower(scalars[index]) : scalars[index]
            if candidate == first {
                var matched = true
                for offset in 1..<needle.count {
                    let scalar = caseInsensitive ? lower(scalars[index + offset]) : scalars[index + offset]
                    if scalar != needle[offset] { matched = false; break }
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    private static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }

    /// The character an entity at `index` stands for, and the entity's length.
    static func entity(_ scalars: [Unicode.Scalar], at index: Int) -> (String, Int)? {
        var end = index + 1
        while end < scalars.count, end - index <= 32, scalars[end] != ";" {
            let scalar = scalars[end]
            guard scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "#" else { break }
            end += 1
        }
        let hasSemicolon = end < scalars.count && scalars[end] == ";"
        let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
        let length = end - index + (hasSemicolon ? 1 : 0)
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, let scalar = Unicode.Scalar(value), value != 0 else { return ("\u{FFFD}", length) }
            return (String(scalar), length)
        }
        guard hasSemicolon || ["amp", "lt", "gt", "nbsp", "quot"].contains(name), let text = namedEntities[name] else { return nil }
        return (text, length)
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "©", "reg": "®", "trade": "™",
        "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "sbquo": "‚",
        "bdquo": "„", "laquo": "«", "raquo": "»", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§",
        "para": "¶", "middot": "·", "bull": "•", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷", "frac12": "½",
        "frac14": "¼", "frac34": "¾", "shy": "", "zwnj": "", "zwj": "", "ensp": " ", "emsp": " ", "thinsp": " ",
        "iexcl": "¡", "iquest": "¿", "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú",
        "Aacute": "Á", "Eacute": "É", "Iacute": "Í", "Oacute": "Ó", "Uacute": "Ú", "agrave": "à", "egrave": "è",
        "ograve": "ò", "ugrave": "ù", "Agrave": "À", "Egrave": "È", "acirc": "â", "ecirc": "ê", "icirc": "î",
        "ocirc": "ô", "ucirc": "û", "auml": "ä", "euml": "ë", "iuml": "ï", "ouml": "ö", "uuml": "ü", "Auml": "Ä",
        "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß", "ntilde": "ñ", "Ntilde": "Ñ", "ccedil": "ç", "Ccedil": "Ç",
        "atilde": "ã", "otilde": "õ", "aring": "å", "Aring": "Å", "aelig": "æ", "AElig": "Æ", "oslash": "ø",
        "Oslash": "Ø", "rarr": "→", "larr": "←", "harr": "↔", "uarr": "↑", "darr": "↓", "check": "✓",
    ]
}
