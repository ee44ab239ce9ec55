import CFastCGI
import CreditHTTP
import CreditSystem

#if canImport(Glibc)
import Glibc
#endif

/// Serves FastCGI requests with a pool of threads, each with its own `FCGX_Request`, all
/// accepting on the shared listening socket. A slow or stalled connection ties up one thread
/// only, so there is no head-of-line blocking when nginx keeps connections open.
///
/// SIGTERM and SIGINT stop accepting; requests in progress finish, then ``run(handler:)`` returns.
public final class FastCGIServer: Sendable {
    public let mode: ListenMode
    public let threads: Int
    public let maxBodyBytes: Int
    /// The largest body accepted for a request, from its parameters (a bulk upload may have
    /// a larger limit than the rest); ``maxBodyBytes`` for every request unless given.
    public let bodyLimit: @Sendable (CGIParameters) -> Int
    /// Seconds a connection may stay silent while its request is read; then it is dropped, so
    /// stalled or slow clients cannot hold the serving threads.
    public let readTimeout: Double
    private let signals: SignalPipe

    public init(
        mode: ListenMode, threads: Int, maxBodyBytes: Int, readTimeout: Double = 10,
        bodyLimit: (@Sendable (CGIParameters) -> Int)? = nil
    ) {
        self.mode = mode
        self.threads = max(1, threads)
        self.maxBodyBytes = maxBodyBytes
        self.bodyLimit = bodyLimit ?? { _ in maxBodyBytes }
        self.readTimeout = readTimeout
        signals = SignalPipe()
    }

    /// Serves until stopped (or, in CGI mode, answers one request).
    public func run(handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws(FastCGIError) {
        if case .cgi(let environment) = mode {
            let limit = bodyLimit(CGIParameters(environment))
            let output = CGIExchange.respond(
                environment: environment, input: CGIExchange.readStandardInput(limit: limit + 1),
                maxBodyBytes: limit, handler: handler)
            CGIExchange.writeStandardOutput(output)
            return
        }
        let status = FCGX_Init()
        guard status == 0 else { throw .initFailed(status) }
        let listener = try openListener()
        let identity = socketIdentity()
        signals.install([SIGTERM, SIGINT])
        // glibc gives each thread its own malloc arena (up to 8 per core); two keep the
        // responder's memory small without measurable contention at these request sizes.
        _ = mallopt(M_ARENA_MAX, 2)
        // Blocks of 1 MiB and more (a sign-in's scrypt buffer) always come from mmap and go back
        // to the system when freed; glibc would otherwise raise this threshold after the first
        // such free and keep later ones in the heap. Fixing it also fixes the heap's trim
        // threshold at 128 KiB, which costs a page fault storm per request: keep 2 MiB instead.
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 2 << 20)
        let context = AcceptLoop(
            listener: listener, bodyLimit: bodyLimit, readTimeout: readTimeout,
            webServerAddresses: Self.webServerAddresses(mode), handler: handler)
        let started = (0..<threads).compactMap { _ in context.start() }
        guard !started.isEmpty else {
            close(listener)
            throw .cannotStartThreads
        }
        // Wait for a stop request, then wake every thread blocked in accept: on a shut-down
        // listening socket accept() fails at once. (FCGX_ShutdownPending is not used: it sets a
        // process-wide flag that would stop any later server in the same process.) Meanwhile
        // check each second that our socket file is still ours: a deleted or replaced file leaves
        // the server unreachable, and exiting lets a supervisor start a new one.
        var lost = false
        if let identity {
            while !signals.waitForStop(milliseconds: 1000) {
                if socketIdentity() != identity { lost = true; break }
            }
        } else {
            _ = signals.waitForStop()
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for thread in started { pthread_join(thread, nil) }
        close(listener)
        // Remove the socket file only if it is still ours (a newer responder may have replaced it).
        if case .unixSocket(let path, _, _) = mode, !lost, socketIdentity() == identity { unlink(path) }
        if lost, case .unixSocket(let path, _, _) = mode { throw .socketLost(path: path) }
    }

    /// Over TCP, the peers that may connect: any local process could otherwise connect and claim
    /// any REMOTE_ADDR. `FCGI_WEB_SERVER_ADDRS` (libfcgi's setting: addresses separated by commas)
    /// or else loopback. nil (anyone who can open the socket) for unix and inherited sockets,
    /// where the socket's mode and group decide.
    static func webServerAddresses(_ mode: ListenMode) -> Set<String>? {
        guard case .tcp = mode else { return nil }
        let setting = getenv("FCGI_WEB_SERVER_ADDRS").map { String(cString: $0) } ?? "127.0.0.1"
        return Set(setting.split(separator: ",").map { String($0.filter { $0 != " " }) })
    }

    /// The device and inode of our unix socket file, or nil for other modes or when it is gone.
    private func socketIdentity() -> [UInt64]? {
        guard case .unixSocket(let path, _, _) = mode else { return nil }
        var info = stat()
        guard lstat(path, &info) == 0 else { return [] }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    /// Asks a running server to stop (what SIGTERM does).
    public func stop() { signals.requestStop() }

    private func openListener() throws(FastCGIError) -> Int32 {
        switch mode {
        case .inheritedSocket(let descriptor):
            return descriptor
        case .tcp(let address):
            let descriptor = FCGX_OpenSocket(address, 1024)
            guard descriptor >= 0 else { throw .cannotListen(path: address, reason: String(cString: strerror(errno))) }
            return descriptor
        case .unixSocket(let path, let mode, let group):
            // A stale socket file from a killed responder gives nginx "connection refused".
            unlink(path)
            let descriptor = FCGX_OpenSocket(path, 1024)
            guard descriptor >= 0 else { throw .cannotListen(path: path, reason: String(cString: strerror(errno))) }
            if let group, chown(path, uid_t.max, gid_t(group)) != 0 {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(path)
                throw .cannotSetGroup(path: path, reason: reason)
            }
            // Only the owner and the group (the web server's, with --socket-group) may connect.
            chmod(path, mode_t(mode ?? 0o660))
            return descriptor
        case .cgi:
            throw .noListener
        }
    }
}

/// What every serving thread runs: accept a request, answer it, repeat until the listener closes.
private final class AcceptLoop: Sendable {
    let listener: Int32
    let bodyLimit: @Sendable (CGIParameters) -> Int
    let handler: @Sendable (HTTPRequest) -> HTTPResponse
    /// True for a unix-domain listener: see ``serve()``.
    let closesPlainly: Bool
    /// How long a connection may stay silent while its request is read.
    let readTimeout: Double
    /// The peers allowed to connect (TCP), or nil for any.
    let webServerAddresses: Set<String>?
    /// Stack of each serving thread: requests need little (JSON nesting is limited to 32 levels).
    static let stackBytes = 512 * 1024

    init(
        listener: Int32, bodyLimit: @escaping @Sendable (CGIParameters) -> Int, readTimeout: Double, webServerAddresses: Set<String>?,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.listener = listener
        self.bodyLimit = bodyLimit
        self.readTimeout = readTimeout
        self.webServerAddresses = webServerAddresses
        self.handler = handler
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        closesPlainly = named == 0 && address.ss_family == sa_family_t(AF_UNIX)
    }

    /// Starts one thread running ``serve()``; nil if the system refused a thread.
    func start() -> pthread_t? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, Self.stackBytes)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(
            &thread, &attributes,
            { context in
                Unmanaged<AcceptLoop>.fromOpaque(context!).takeRetainedValue().serve()
                return nil
            }, context)
        guard status == 0 else {
            Unmanaged<AcceptLoop>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    func serve() {
        // Connections are accepted here rather than by libfcgi, so that each gets a receive
        // timeout (unix sockets do not inherit one from the listener) and, over TCP, a check of
        // its peer. libfcgi is handed the open connection and never accepts by itself: its
        // listening socket is -1, so when it drops a connection (a protocol error, a read that
        // timed out) its own accept fails at once and the loop comes back here.
        var request = FCGX_Request()
        guard FCGX_InitRequest(&request, -1, 0) == 0 else { return }
        while true {
            if request.ipcFd < 0 {
                guard let connection = acceptConnection() else { break }
                request.ipcFd = connection
                // FCGX_Accept_r first finishes the previous request and would close this.
                request.keepConnection = 1
            }
            // A connection libfcgi gives up on (it stalled, or broke the protocol) is closed
            // plainly, not with libfcgi's wait of up to 2 s for the peer to close its end.
            request.detached = 1
            guard FCGX_Accept_r(&request) >= 0 else { continue }
            request.detached = 0
            let incoming = readRequest(&request, bodyLimit: bodyLimit)
            let bytes = handler(incoming).cgiSerialized()
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    _ = FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.out)
                }
            }
            // libfcgi closes a connection gracefully: shutdown, then read until the server closes
            // its end, so that input we did not read (the rest of an oversized body) cannot make
            // the server's write fail, nor turn into a TCP reset that loses the answer. On a unix
            // socket whose input was read in full there is nothing to lose, and a plain close
            // spares a blocking wait per request ("detached" requests are closed that way).
            if closesPlainly && !incoming.bodyTooLarge { FCGX_Detach(&request) }
            FCGX_Finish_r(&request)
        }
        FCGX_Free(&request, 1)
    }
}

extension AcceptLoop {
    /// The next connection, with its receive timeout set; nil once the listener is shut down.
    func acceptConnection() -> Int32? {
        while true {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let connection = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept4(listener, $0, &length, Int32(SOCK_CLOEXEC.rawValue)) }
            }
            if connection < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EAGAIN, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(10_000); continue  // out of descriptors: wait, do not die
                default: return nil  // EINVAL: the listener was shut down
                }
            }
            if let allowed = webServerAddresses, !allowed.contains(Self.host(of: address)) {
                close(connection)
                continue
            }
            var timeout = timeval(tv_sec: Int(readTimeout), tv_usec: Int((readTimeout - readTimeout.rounded(.down)) * 1e6))
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if address.ss_family != sa_family_t(AF_UNIX) {
                var on: Int32 = 1
                setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            return connection
        }
    }

    /// The numeric host of an IPv4 or IPv6 peer address ("" for others).
    static func host(of address: sockaddr_storage) -> String {
        var address = address
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.ss_family) {
        case AF_INET:
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var ip = pointer.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
                }
            }
        case AF_INET6:
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var ip = pointer.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
                }
            }
        default:
            return ""
        }
        return String(cString: text)
    }
}

private func readRequest(_ request: inout FCGX_Request, bodyLimit: (CGIParameters) -> Int) -> HTTPRequest {
    let params = CGIParameters(environment: request.envp)
    let maxBodyBytes = bodyLimit(params)
    let declared = params["CONTENT_LENGTH"].flatMap { Int($0) }
    let limit = min(declared ?? Int.max, maxBodyBytes + 1)
    var body = [UInt8](repeating: 0, count: min(limit, 64 * 1024))
    var count = 0
    while count < limit {
        if count == body.count { body += [UInt8](repeating: 0, count: min(body.count, limit - count)) }
        let read = body.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                FCGX_GetStr(chars.baseAddress! + count, Int32(min(chars.count - count, limit - count)), request.in)
            }
        }
        if read <= 0 { break }
        count += Int(read)
    }
    body.removeSubrange(count...)
    let truncated = count > maxBodyBytes || (declared ?? 0) > maxBodyBytes
    return HTTPRequest(cgi: params, body: truncated ? Array(body.prefix(maxBodyBytes)) : body, bodyTooLarge: truncated)
}
