import Foundation

/// Where the installed files are: the unpacked `make dist` folder (`bin/`, `site/`, `models/`),
/// or a source tree whose `.build` holds the executables.
struct InstalledBundle {
    /// The folder holding `site/` and `models/`.
    let root: String
    /// The folder holding `credit`, `credit-fcgi` and `credit-worker`.
    let binaries: String

    var site: String { root + "/site" }
    var models: String { root + "/models" }
    func executable(_ name: String) -> String { binaries + "/" + name }

    /// The bundle this `credit` belongs to, or the one at `override`.
    static func locate(override: String?) throws -> InstalledBundle {
        let binaries = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
        ).deletingLastPathComponent().standardizedFileURL.path
        if let override {
            let root = URL(fileURLWithPath: override).standardizedFileURL.path
            guard isBundle(root) else { throw CommandError("\(root) holds no site/index.html and models/default.json") }
            let bin = FileManager.default.isExecutableFile(atPath: root + "/bin/credit-fcgi") ? root + "/bin" : binaries
            return InstalledBundle(root: root, binaries: bin)
        }
        var folder = URL(fileURLWithPath: binaries)
        for _ in 0..<4 {
            folder.deleteLastPathComponent()
            if isBundle(folder.path) { return InstalledBundle(root: folder.path, binaries: binaries) }
        }
        throw CommandError("cannot find site/ and models/ near \(binaries); unpack the whole credit-scoring folder or give --bundle DIR")
    }

    static func isBundle(_ root: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/site/index.html") && FileManager.default.fileExists(atPath: root + "/models/default.json")
    }
}
