import CFastCGI
import Foundation
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
    private let stopPipe: StopPipe

    public init(mode: ListenMode, threads: Int, maxBodyBytes: Int) {
        self.mode = mode
        self.threads = max(1, threads)
        self.maxBodyBytes = maxBodyBytes
        stopPipe = StopPipe()
    }

    /// Serves until stopped (or, in CGI mode, answers one request).
    public func run(handler: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse) throws(FastCGIError) {
        if case .cgi = mode {
            let output = CGIExchange.respond(environment: ProcessInfo.processInfo.environment,
                                             input: CGIExchange.readStandardInput(limit: maxBodyBytes + 1),
                                             maxBodyBytes: maxBodyBytes, handler: handler)
            CGIExchange.writeStandardOutput(output)
            return
        }
        let status = FCGX_Init()
        guard status == 0 else { throw .initFailed(status) }
        let listener = try openListener()
        stopPipe.installSignalHandlers()
        // glibc gives each thread its own malloc arena (up to 8 per core); two keep the
        // responder's memory small without measurable contention at these request sizes.
        _ = mallopt(M_ARENA_MAX, 2)
        let group = DispatchGroup()
        let maxBody = maxBodyBytes
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                serveRequests(listener: listener, maxBodyBytes: maxBody, handler: handler)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        // Wait for a stop request, then wake every thread blocked in accept: on a shut-down
        // listening socket accept() fails at once. (FCGX_ShutdownPending is not used: it sets a
        // process-wide flag that would stop any later server in the same process.)
        stopPipe.waitForStop()
        shutdown(listener, Int32(SHUT_RDWR))
        group.wait()
        close(listener)
        if case .unixSocket(let path, _) = mode { unlink(path) }
    }

    /// Asks a running server to stop (what SIGTERM does).
    public func stop() { stopPipe.requestStop() }

    private func openListener() throws(FastCGIError) -> Int32 {
        switch mode {
        case .inheritedSocket:
            return 0
        case .tcp(let address):
            let descriptor = FCGX_OpenSocket(address, 1024)
            guard descriptor >= 0 else { throw .cannotListen(path: address, reason: String(cString: strerror(errno))) }
            return descriptor
        case .unixSocket(let path, let mode):
            // A stale socket file from a killed responder gives nginx "connection refused".
            unlink(path)
            let descriptor = FCGX_OpenSocket(path, 1024)
            guard descriptor >= 0 else { throw .cannotListen(path: path, reason: String(cString: strerror(errno))) }
            if let mode { chmod(path, mode_t(mode)) }
            return descriptor
        case .cgi:
            throw .noListener
        }
    }
}

/// One thread's accept loop.
private func serveRequests(listener: Int32, maxBodyBytes: Int, handler: @Sendable (FastCGIRequest) -> FastCGIResponse) {
    var request = FCGX_Request()
    guard FCGX_InitRequest(&request, listener, 0) == 0 else { return }
    while FCGX_Accept_r(&request) >= 0 {
        let incoming = readRequest(&request, maxBodyBytes: maxBodyBytes)
        let bytes = handler(incoming).serialized()
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.out)
            }
        }
        FCGX_Finish_r(&request)
    }
    FCGX_Free(&request, 1)
}

private func readRequest(_ request: inout FCGX_Request, maxBodyBytes: Int) -> FastCGIRequest {
    let params = FastCGIParams(environment: request.envp)
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
    return FastCGIRequest(params: params, body: truncated ? Array(body.prefix(maxBodyBytes)) : body, bodyTruncated: truncated)
}
