import Foundation

/// File operations the setup commands share: files written with a given mode, folders copied,
/// paths made absolute and a URL prefix checked.
enum DeploymentFiles {
    /// Writes `text` to `path` with exactly `mode` (not widened by the umask, nor left as an older file had it).
    static func write(_ text: String, to path: String, mode: Int) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        } catch { throw CommandError("cannot write \(path): \(error.localizedDescription)") }
    }

    /// Creates `path` (and missing parents) and gives it `mode`.
    static func makeDirectory(_ path: String, mode: Int) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        } catch { throw CommandError("cannot create \(path): \(error.localizedDescription)") }
    }

    /// Copies the files of `source` whose names `include` accepts into `destination`, with
    /// subfolders, replacing files of the same name; files become 0644 and folders 0755.
    static func copyTree(from source: String, to destination: String, include: (String) -> Bool = { _ in true }) throws {
        let manager = FileManager.default
        try makeDirectory(destination, mode: 0o755)
        let names: [String]
        do { names = try manager.contentsOfDirectory(atPath: source).sorted() } catch {
            throw CommandError("cannot read \(source): \(error.localizedDescription)")
        }
        for name in names where !name.hasPrefix(".") {
            let from = source + "/" + name, to = destination + "/" + name
            var isFolder: ObjCBool = false
            manager.fileExists(atPath: from, isDirectory: &isFolder)
            if isFolder.boolValue {
                try copyTree(from: from, to: to, include: include)
            } else if include(name) {
                do {
                    if manager.fileExists(atPath: to) { try manager.removeItem(atPath: to) }
                    try manager.copyItem(atPath: from, toPath: to)
                    try manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: to)
                } catch { throw CommandError("cannot copy \(from) to \(to): \(error.localizedDescription)") }
            }
        }
    }

    /// `path` as an absolute path without `.`, `..`, symbolic links or a trailing slash. Links
    /// are resolved in the part that exists, so a folder still to be created under a linked
    /// folder resolves to where it will really be.
    static func absolute(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            missing.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var resolved = existing.resolvingSymlinksInPath()
        for component in missing { resolved.appendPathComponent(component) }
        return resolved.standardizedFileURL.path
    }

    /// True when `inner` is `outer` or lies inside it.
    static func isInside(_ inner: String, _ outer: String) -> Bool {
        inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }

    /// Checks a URL prefix such as `/` or `/credit/`: it starts and ends with `/` and holds only
    /// letters, digits and `-._/`.
    static func checkPrefix(_ prefix: String) throws {
        guard prefix.hasPrefix("/"), prefix.hasSuffix("/"), !prefix.contains("//"), !prefix.contains("/../"), !prefix.contains("/./"),
            prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._/".contains($0)) })
        else {
            throw CommandError("--prefix must be a URL path that starts and ends with /, such as / or /credit/, using letters, digits and - . _")
        }
    }

    /// A value quoted for a POSIX shell.
    static func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
