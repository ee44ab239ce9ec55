import Foundation

/// A new, empty directory under the system's temporary directory, readable by this account only
/// (`mkdtemp`, mode 0700), for one test's files; ``remove()`` deletes it with everything in it.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    /// Creates the directory, named `prefix-XXXXXX`.
    public init(prefix: String = "credit-test") throws {
        var template = Array((NSTemporaryDirectory() + "/" + prefix + "-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mkdtemp failed: \(String(cString: strerror(errno)))"])
        }
        url = URL(fileURLWithPath: String(cString: created), isDirectory: true)
    }

    /// The path of `name` inside the directory (nothing is created).
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Deletes the directory and everything in it. A directory already gone is no error; any other
    /// failure is printed, since a test's own result does not depend on its clean-up.
    public func remove() {
        do { try FileManager.default.removeItem(at: url) } catch CocoaError.fileNoSuchFile {
        } catch {
            print("warning: could not remove \(path): \(error)")
        }
    }
}
