/// Where requests come from.
public enum ListenMode: Sendable, Equatable {
    /// A unix socket this process creates (a stale file is removed first), with an optional mode
    /// and group (the web server's, so that it may connect; this process must be a member).
    case unixSocket(path: String, mode: UInt16?, group: UInt32? = nil)
    /// A TCP address such as `127.0.0.1:9000` (`:9000` alone would bind every interface).
    case tcp(String)
    /// A listening socket inherited on fd 0 (spawn-fcgi, Apache mod_fcgid), or on fd 3 from
    /// systemd socket activation (`LISTEN_FDS=1`).
    case inheritedSocket(descriptor: Int32 = 0)
    /// Plain CGI: one request from these environment variables and standard input, answered on standard output.
    case cgi(environment: [String: String])
}
