#if canImport(Glibc)
import Glibc
#endif

extension ListenMode {
    /// Chooses the mode: an explicit socket option first; then CGI when the server set
    /// `GATEWAY_INTERFACE` (in CGI, fd 0 carries the request body, not a socket); then a listening
    /// socket inherited on fd 0. nil when none applies (started by hand without `--socket`).
    ///
    /// libfcgi's own `FCGX_IsCGI()` says "CGI" whenever fd 0 is not a listening socket, even in a
    /// process that opens its own socket, so it is not used.
    public static func detect(
        socketPath: String?, socketMode: UInt16?, socketGroup: UInt32? = nil,
        environment: [String: String]
    ) -> ListenMode? {
        if let socketPath {
            if !socketPath.hasPrefix("/"), !socketPath.hasPrefix("."), socketPath.contains(":") { return .tcp(socketPath) }
            return .unixSocket(path: socketPath, mode: socketMode, group: socketGroup)
        }
        if environment["GATEWAY_INTERFACE"] != nil { return .cgi(environment: environment) }
        // systemd's socket activation: one socket on fd 3, meant for this process.
        if environment["LISTEN_FDS"] == "1", environment["LISTEN_PID"] == String(getpid()), isListeningSocket(3) {
            return .inheritedSocket(descriptor: 3)
        }
        if isListeningSocket(0) { return .inheritedSocket() }
        return nil
    }

    static func isListeningSocket(_ descriptor: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting != 0
    }
}
