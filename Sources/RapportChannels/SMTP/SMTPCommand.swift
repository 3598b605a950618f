import RapportCore

/// One SMTP command line (RFC 5321 §4.1), read leniently where real clients are lenient
/// (`MAIL FROM: <a@b>` with a space, addresses without angle brackets).
enum SMTPCommand: Equatable {
    case helo(String)
    case ehlo(String)
    /// `MAIL FROM:<path>`; nil path is the null sender `<>` of bounces.
    case mail(from: String?, parameters: [String: String])
    case rcpt(to: String, parameters: [String: String])
    case data
    case rset
    case noop
    case quit
    case startTLS
    case vrfy
    case help
    case auth
    /// A known verb with arguments it cannot use.
    case syntaxError(String)
    case unknown

    static func parse(_ line: String) -> SMTPCommand {
        let trimmed = line.trimmingSpace()
        let verbEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        let verb = trimmed[..<verbEnd].uppercased()
        let argument = trimmed[verbEnd...].trimmingSpace()
        switch verb {
        case "HELO": return argument.isEmpty ? .syntaxError("HELO needs a domain") : .helo(argument)
        case "EHLO": return argument.isEmpty ? .syntaxError("EHLO needs a domain") : .ehlo(argument)
        case "MAIL":
            guard let (path, parameters) = pathArgument(argument, keyword: "FROM:") else {
                return .syntaxError("Syntax: MAIL FROM:<address>")
            }
            return .mail(from: path.isEmpty ? nil : path, parameters: parameters)
        case "RCPT":
            guard let (path, parameters) = pathArgument(argument, keyword: "TO:"), !path.isEmpty else {
                return .syntaxError("Syntax: RCPT TO:<address>")
            }
            return .rcpt(to: path, parameters: parameters)
        case "DATA": return argument.isEmpty ? .data : .syntaxError("DATA takes no argument")
        case "RSET": return .rset
        case "NOOP": return .noop
        case "QUIT": return .quit
        case "STARTTLS": return argument.isEmpty ? .startTLS : .syntaxError("STARTTLS takes no argument")
        case "VRFY", "EXPN": return .vrfy
        case "HELP": return .help
        case "AUTH": return .auth
        default: return .unknown
        }
    }

    /// `FROM:<a@b> SIZE=10 BODY=8BITMIME`: the path without brackets and the ESMTP parameters
    /// (names uppercased).
    private static func pathArgument(_ argument: String, keyword: String) -> (String, [String: String])? {
        guard argument.uppercased().hasPrefix(keyword) else { return nil }
        var rest = Substring(argument.dropFirst(keyword.count))
        rest = rest.drop { $0 == " " }
        var path: String
        if rest.first == "<" {
            guard let close = rest.firstIndex(of: ">") else { return nil }
            path = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            path = String(rest[..<end])
            rest = rest[end...]
        }
        // A source route (`<@relay:a@b>`) is ignored, as RFC 5321 allows.
        if path.hasPrefix("@"), let colon = path.firstIndex(of: ":") { path = String(path[path.index(after: colon)...]) }
        guard path.isEmpty || path.contains("@") || path.lowercased() == "postmaster", path.count <= 320,
              !path.contains(" ") else { return nil }
        var parameters: [String: String] = [:]
        for item in rest.split(separator: " ") {
            let pair = item.split(separator: "=", maxSplits: 1)
            parameters[pair[0].uppercased()] = pair.count > 1 ? String(pair[1]) : ""
        }
        return (path, parameters)
    }
}
