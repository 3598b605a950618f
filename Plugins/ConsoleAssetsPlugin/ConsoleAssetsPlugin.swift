import Foundation
import PackagePlugin

/// Packs `Assets/` of the target it is applied to (RapportConsole) into a generated Swift file
/// with `console-packer`, re-run whenever an asset changes.
@main
struct ConsoleAssetsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let assets = target.directoryURL.appending(path: "Assets", directoryHint: .isDirectory)
        var inputs: [URL] = []
        if let enumerator = FileManager.default.enumerator(at: assets, includingPropertiesForKeys: [.isRegularFileKey],
                                                           options: [.skipsHiddenFiles]) {
            for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
                inputs.append(url)
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedConsoleAssets.swift")
        return [
            .buildCommand(displayName: "Packing the console's assets",
                          executable: try context.tool(named: "console-packer").url,
                          arguments: [assets.path, output.path],
                          inputFiles: inputs + [assets],
                          outputFiles: [output]),
        ]
    }
}
