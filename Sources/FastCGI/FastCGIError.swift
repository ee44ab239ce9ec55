/// Why the server could not serve.
public enum FastCGIError: Error, Sendable, CustomStringConvertible, Equatable {
    case initFailed(Int32)
    case cannotListen(path: String, reason: String)
    case cannotSetGroup(path: String, reason: String)
    case socketLost(path: String)
    case noListener
    case cannotStartThreads

    public var description: String {
        switch self {
        case .initFailed(let code): return "libfcgi failed to initialise (\(code))"
        case .cannotListen(let path, let reason): return "cannot listen on \(path): \(reason)"
        case .socketLost(let path):
            return
                "the socket file \(path) was deleted or replaced, so no web server can reach this process any more; stopped so that a supervisor starts a new one"
        case .cannotSetGroup(let path, let reason):
            return "cannot give \(path) to the group named by --socket-group: \(reason) (this account must be a member of that group)"
        case .cannotStartThreads: return "the system refused to start serving threads; lower --threads or raise the process limits"
        case .noListener:
            return "no socket to serve: give --socket PATH, start under spawn-fcgi or mod_fcgid, or run as a CGI program"
        }
    }
}
