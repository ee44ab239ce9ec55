import CreditSystem

#if canImport(Glibc)
import Glibc
#endif

/// A configuration file of `CREDIT_NAME=value` lines, read by every executable from
/// `--config FILE` or `CREDIT_CONFIG`.
///
/// - Blank lines and lines starting with `#` are ignored (a `#` later in a line is part of the
///   value); spaces around the name and the value are trimmed, and a value may be wrapped in
///   single or double quotes. Lines may end in CR LF; a byte-order mark is ignored.
/// - A name may appear once.
/// - Every name must be a setting this service knows (``ServiceConfiguration/settingNames``), so
///   that a typo is reported instead of silently ignored.
/// - A relative path in a path setting (``ServiceConfiguration/pathSettingNames``) is taken
///   relative to the file's folder, so a deployment can be moved as a whole.
public struct ConfigFile: Sendable, Equatable {
    /// The file's settings, paths already resolved.
    public var values: [String: String]

    /// Reads and checks the file at `path`.
    public init(path: String) throws(ConfigurationError) {
        guard let text = Self.readText(path) else {
            let reason = String(cString: strerror(errno))
            let hint =
                errno == EACCES
                ? " to \(SystemAccount.current()); the responder and the worker must run as the account that owns "
                    + "the configuration, the key and the database (on shared hosting, CGI under suexec; under systemd, User=)" : ""
            throw ConfigurationError(description: "cannot read the configuration file \(path): \(reason)\(hint)")
        }
        try self.init(text: text, path: path)
    }

    /// Parses `text` as if read from `path` (which resolves relative paths).
    public init(text: String, path: String) throws(ConfigurationError) {
        let folder = Self.folder(of: path)
        values = [:]
        // Lines end in LF or CR LF (a file saved on Windows); a byte-order mark is dropped.
        var bytes = Array(text.utf8)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        for (index, rawLine) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = String(decoding: rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine, as: UTF8.self).trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError(description: "\(path):\(index + 1): expected NAME=value, found \(line.prefix(80))")
            }
            let name = String(line[..<equals]).trimmingSpaces()
            var value = String(line[line.index(after: equals)...]).trimmingSpaces()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard ServiceConfiguration.settingNames.contains(name) else {
                throw ConfigurationError(
                    description:
                        "\(path):\(index + 1): unknown setting \(name); known: \(ServiceConfiguration.settingNames.sorted().joined(separator: ", "))")
            }
            guard values[name] == nil else {
                throw ConfigurationError(description: "\(path):\(index + 1): \(name) is set twice; keep one line")
            }
            if ServiceConfiguration.pathSettingNames.contains(name), !value.isEmpty, !value.hasPrefix("/") {
                value = folder + "/" + value
            }
            values[name] = value
        }
    }

    /// The folder holding `path`, as an absolute path when the working directory is known.
    static func folder(of path: String) -> String {
        var absolute = path
        if !path.hasPrefix("/"), let cwd = currentDirectory() { absolute = cwd + "/" + path }
        guard let slash = absolute.lastIndex(of: "/") else { return "." }
        return slash == absolute.startIndex ? "/" : String(absolute[..<slash])
    }

    static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(cString: buffer)
    }

    /// The whole file as UTF-8 text, or nil (with `errno` set) when it cannot be read. Files of
    /// more than 1 MiB are refused: a configuration is a few lines.
    static func readText(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > 1 << 20 { errno = EFBIG; return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
