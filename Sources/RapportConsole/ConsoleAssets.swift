import Foundation
import Hummingbird


/// The console's files: the ones compiled into the binary, or (while developing the console) a
/// folder read anew on every request.
public struct ConsoleAssets: Sendable {
    /// One file as it is served.
    public struct Asset: Sendable {
        public var body: ByteBuffer
        public var contentType: String
    }

    private enum Source: Sendable {
        case embedded([String: Asset])
        case folder(URL)
    }

    /// Names the folder assets are served from (`/console/<version>/…`): a hash of every file, so
    /// a change to any of them is a new name, and browsers may keep each name forever.
    public let version: String
    private let source: Source

    /// The assets compiled into this binary.
    public static let embedded: ConsoleAssets = {
        var files: [String: Asset] = [:]
        for (path, base64) in EmbeddedConsoleAssets.files {
            guard let data = Data(base64Encoded: base64) else { preconditionFailure("console asset \(path) is not base64") }
            files[path] = Asset(body: ByteBuffer(bytes: data), contentType: contentType(of: path))
        }
        return ConsoleAssets(version: EmbeddedConsoleAssets.version, source: .embedded(files))
    }()

    /// Assets read from `folder` on every request, served under the version `dev` (for working on
    /// the console without rebuilding the server).
    public static func folder(_ path: String) -> ConsoleAssets {
        ConsoleAssets(version: "dev", source: .folder(URL(fileURLWithPath: path, isDirectory: true)))
    }

    /// The file at `path` (relative, `/`-separated), or nil.
    public func asset(_ path: String) -> Asset? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, !segments.contains(where: { $0.isEmpty || $0.hasPrefix(".") }) else { return nil }
        switch source {
        case .embedded(let files):
            return files[path]
        case .folder(let root):
            let url = segments.reduce(root) { $0.appending(path: String($1)) }
            guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
            return Asset(body: ByteBuffer(bytes: data), contentType: Self.contentType(of: path))
        }
    }

    /// `index.html` with `%ASSETS%` replaced by the versioned folder the other files are served
    /// from, and `%MODULE_GRAPH%` by the modules each view needs (JSON in an attribute, read by the router).
    public func page() -> ByteBuffer? {
        guard var index = asset("index.html") else { return nil }
        let text = index.body.readString(length: index.body.readableBytes) ?? ""
        return ByteBuffer(string: text.replacingOccurrences(of: "%ASSETS%", with: assetBase)
            .replacingOccurrences(of: "%MODULE_GRAPH%", with: moduleGraph()))
    }

    /// `ModuleGraph.viewDependencies` as JSON, computed once for the embedded files.
    func moduleGraph() -> String {
        switch source {
        case .embedded:
            return Self.embeddedModuleGraph
        case .folder(let root):
            var sources: [String: String] = [:]
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
            let prefix = root.standardizedFileURL.path.hasSuffix("/") ? root.standardizedFileURL.path : root.standardizedFileURL.path + "/"
            while let url = enumerator?.nextObject() as? URL {
                let path = url.standardizedFileURL.path
                guard path.hasSuffix(".js"), path.hasPrefix(prefix), let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                sources[String(path.dropFirst(prefix.count))] = text
            }
            return Self.graphJSON(sources)
        }
    }

    private static let embeddedModuleGraph: String = {
        var sources: [String: String] = [:]
        for (path, base64) in EmbeddedConsoleAssets.files where path.hasSuffix(".js") {
            guard let data = Data(base64Encoded: base64) else { continue }
            sources[path] = String(decoding: data, as: UTF8.self)
        }
        return graphJSON(sources)
    }()

    /// `{"m": ["js/api.js", …], "v": {"js/views/x.js": [0, 4, …], …}}`: every module once, and for
    /// each view the positions of the modules it needs (each path written once, not once per view
    /// that needs it: the graph is in every page), escaped for the attribute it is written into.
    static func graphJSON(_ sources: [String: String]) -> String {
        let graph = ModuleGraph.viewDependencies(sources.filter { $0.key.hasSuffix(".js") })
        func quoted(_ text: String) -> String {
            var out = "&quot;"
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\&quot;"
                case "\\": out += "\\\\"
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "&quot;"
        }
        let modules = Set(graph.values.flatMap { $0 }).sorted()
        let position = Dictionary(uniqueKeysWithValues: modules.enumerated().map { ($0.element, $0.offset) })
        let views = graph.keys.sorted().map { view in
            quoted(view) + ":[" + (graph[view] ?? []).compactMap { position[$0].map(String.init) }.joined(separator: ",") + "]"
        }
        return "{" + quoted("m") + ":[" + modules.map(quoted).joined(separator: ",") + "]," + quoted("v") + ":{" + views.joined(separator: ",") + "}}"
    }

    /// The path prefix of every asset but the page: `/console/<version>`.
    public var assetBase: String { "/console/\(version)" }

    /// The size in bytes of every file, by path (for the first-load budget).
    public var sizes: [String: Int] {
        guard case .embedded(let files) = source else { return [:] }
        return files.mapValues { $0.body.readableBytes }
    }

    /// The most a first visit fetches, in bytes: the page with its stylesheet and icon, the
    /// modules loaded before any view (`js/main.js` and its static imports), the larger catalog,
    /// and the heaviest view with the modules it adds. Views and catalogs not shown are not loaded.
    public var firstLoadBytes: Int {
        guard case .embedded(let files) = source else { return 0 }
        let sizes = files.mapValues { $0.body.readableBytes }
        var sources: [String: String] = [:]
        for (path, asset) in files where path.hasSuffix(".js") {
            sources[path] = String(decoding: asset.body.readableBytesView, as: UTF8.self)
        }
        let shell = ModuleGraph.closure(of: "js/main.js", sources)
        let shellBytes = shell.reduce(0) { $0 + (sizes[$1] ?? 0) }
        let page = ["index.html", "app.css", "favicon.svg"].reduce(0) { $0 + (sizes[$1] ?? 0) }
        // The main catalogs are `i18n/<locale>.js`; a part's are `i18n/<part>/<locale>.js`, loaded
        // with the module that names it in `loadMessages('<part>')`.
        let catalog = sizes.filter { $0.key.hasPrefix("i18n/") && $0.key.split(separator: "/").count == 2 }.values.max() ?? 0
        func parts(_ modules: Set<String>) -> Int {
            Set(modules.flatMap { ModuleGraph.messageParts(in: sources[$0] ?? "") }).reduce(0) { total, part in
                total + (sizes.filter { $0.key.hasPrefix("i18n/\(part)/") }.values.max() ?? 0)
            }
        }
        let view = sources.keys.filter { $0.hasPrefix("js/views/") }.map { view in
            let added = ModuleGraph.closure(of: view, sources).subtracting(shell)
            return added.reduce(0) { $0 + (sizes[$1] ?? 0) } + parts(added)
        }.max() ?? 0
        return page + shellBytes + catalog + parts(shell) + view
    }

    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last.map({ $0.lowercased() }) {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
