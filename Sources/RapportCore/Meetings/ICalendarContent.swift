/// iCalendar's content lines (RFC 5545 §3.1): a property with its parameters and value, folded
/// into lines of at most 75 octets when written and unfolded when read.
public struct ICalendarProperty: Sendable, Equatable {
    /// Upper-cased.
    public var name: String
    /// Parameter names upper-cased; each value as written, without quotes.
    public var parameters: [String: String]
    public var value: String

    public init(_ name: String, _ value: String, parameters: [String: String] = [:]) {
        self.name = name.uppercased()
        self.parameters = parameters
        self.value = value
    }

    /// The line as written, folded: CRLF and a space before each 75th octet, never inside a character.
    public var line: String {
        var text = name
        for key in parameters.keys.sorted() {
            let value = parameters[key] ?? ""
            let needsQuotes = value.contains(where: { $0 == ":" || $0 == ";" || $0 == "," })
            text += ";\(key)=" + (needsQuotes ? "\"\(value.replacingOccurrences(of: "\"", with: "'"))\"" : value)
        }
        text += ":" + value
        return ICalendarContent.fold(text)
    }
}

/// A component (`VCALENDAR`, `VEVENT`, `VTIMEZONE`, …) with its properties and components.
public struct ICalendarComponent: Sendable, Equatable {
    public var name: String
    public var properties: [ICalendarProperty]
    public var components: [ICalendarComponent]

    public init(_ name: String, properties: [ICalendarProperty] = [], components: [ICalendarComponent] = []) {
        self.name = name.uppercased()
        self.properties = properties
        self.components = components
    }

    public func property(_ name: String) -> ICalendarProperty? { properties.first { $0.name == name } }

    public func all(_ name: String) -> [ICalendarProperty] { properties.filter { $0.name == name } }

    public func component(_ name: String) -> ICalendarComponent? { components.first { $0.name == name } }

    /// The component as written: BEGIN, its lines, its components, END.
    public var text: String {
        "BEGIN:\(name)\r\n" + properties.map(\.line).joined() + components.map(\.text).joined() + "END:\(name)\r\n"
    }
}

public enum ICalendarContent {
    /// `text` as content lines of at most 75 octets.
    static func fold(_ text: String) -> String {
        var out = ""
        var octets = 0
        for character in text {
            let size = String(character).utf8.count
            if octets + size > 75 {
                out += "\r\n "
                octets = 1
            }
            out.append(character)
            octets += size
        }
        return out + "\r\n"
    }

    /// A TEXT value escaped (§3.3.11): backslash, semicolon, comma, line breaks.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": break
            default: out.append(character)
            }
        }
        return out
    }

    /// A TEXT value as meant.
    public static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "n", "N": out += "\n"
                default: out.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// Reads an iCalendar object: unfolds its lines and builds the components. Lenient, as mail
    /// programs are: bare LF line ends, unknown lines outside components and unclosed components
    /// are taken as they come; nil when it holds no component at all.
    public static func parse(_ text: String) -> ICalendarComponent? {
        var lines: [String] = []
        for raw in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = raw.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += raw.dropFirst()
            } else if !raw.isEmpty {
                lines.append(String(raw))
            }
        }
        var stack: [ICalendarComponent] = []
        var roots: [ICalendarComponent] = []
        for line in lines {
            guard let property = parseLine(line) else { continue }
            if property.name == "BEGIN" {
                stack.append(ICalendarComponent(property.value))
            } else if property.name == "END" {
                guard var done = stack.popLast() else { continue }
                // An END that names another component closes the ones left open inside it.
                while done.name != property.value.uppercased(), var parent = stack.popLast() {
                    parent.components.append(done)
                    done = parent
                }
                if var parent = stack.popLast() {
                    parent.components.append(done)
                    stack.append(parent)
                } else {
                    roots.append(done)
                }
            } else if !stack.isEmpty {
                stack[stack.count - 1].properties.append(property)
            }
        }
        while let done = stack.popLast() {
            if var parent = stack.popLast() {
                parent.components.append(done)
                stack.append(parent)
            } else {
                roots.append(done)
            }
        }
        return roots.first { $0.name == "VCALENDAR" } ?? roots.first
    }

    /// `NAME;PARAM=value;PARAM="quoted":value`.
    static func parseLine(_ line: String) -> ICalendarProperty? {
        var name = ""
        var parameters: [String: String] = [:]
        var index = line.startIndex
        while index < line.endIndex, line[index] != ";", line[index] != ":" {
            name.append(line[index])
            index = line.index(after: index)
        }
        guard !name.isEmpty, index < line.endIndex else { return nil }
        while index < line.endIndex, line[index] == ";" {
            index = line.index(after: index)
            var key = ""
            while index < line.endIndex, line[index] != "=", line[index] != ":", line[index] != ";" {
                key.append(line[index])
                index = line.index(after: index)
            }
            var value = ""
            if index < line.endIndex, line[index] == "=" {
                index = line.index(after: index)
                var quoted = false
                while index < line.endIndex {
                    let character = line[index]
                    if character == "\"" { quoted.toggle() } else if !quoted, character == ":" || character == ";" { break } else {
                        value.append(character)
                    }
                    index = line.index(after: index)
                }
            }
            parameters[key.uppercased()] = value
        }
        guard index < line.endIndex, line[index] == ":" else { return nil }
        return ICalendarProperty(name, String(line[line.index(after: index)...]), parameters: parameters)
    }
}
