import CreditHTTP
import CreditTestSupport
import Foundation
import XCTest

@testable import FastCGI

/// The libfcgi binding through the real protocol (cgi-fcgi from libfcgi-bin as the client),
/// plus the CGI exchange and the mode detection.
final class FastCGITests: XCTestCase {
    func testCGIExchangeCapsTheBody() {
        let output = CGIExchange.respond(
            environment: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "10"], input: Array("0123456789".utf8),
            maxBodyBytes: 4
        ) { request in
            HTTPResponse(status: 200, body: Array("\(request.bodyTooLarge) \(request.body.count) \(request.method)".utf8))
        }
        XCTAssertTrue(String(decoding: output, as: UTF8.self).hasSuffix("true 4 POST"))
    }

    func testModeDetection() {
        XCTAssertEqual(
            ListenMode.detect(socketPath: "/run/x.sock", socketMode: 0o660, environment: [:]), .unixSocket(path: "/run/x.sock", mode: 0o660))
        XCTAssertEqual(ListenMode.detect(socketPath: "127.0.0.1:9000", socketMode: nil, environment: [:]), .tcp("127.0.0.1:9000"))
        XCTAssertEqual(
            ListenMode.detect(socketPath: nil, socketMode: nil, environment: ["GATEWAY_INTERFACE": "CGI/1.1"]),
            .cgi(environment: ["GATEWAY_INTERFACE": "CGI/1.1"]))
        XCTAssertEqual(
            ListenMode.detect(socketPath: "/run/x.sock", socketMode: 0o660, socketGroup: 33, environment: [:]),
            .unixSocket(path: "/run/x.sock", mode: 0o660, group: 33))
    }

    func testSystemdSocketActivationNeedsFd3AndThisProcess() throws {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let temporary = try TemporaryDirectory(prefix: "act")
        defer { temporary.remove() }
        let path = temporary.file("listen.sock")
        withUnsafeMutableBytes(of: &address.sun_path) { target in
            path.utf8CString.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(listener, 8), 0)
        let saved = dup(3)
        XCTAssertEqual(dup2(listener, 3), 3)
        defer { if saved >= 0 { dup2(saved, 3); close(saved) } else { close(3) }; close(listener); unlink(path) }
        let mine = ["LISTEN_FDS": "1", "LISTEN_PID": String(getpid())]
        XCTAssertEqual(ListenMode.detect(socketPath: nil, socketMode: nil, environment: mine), .inheritedSocket(descriptor: 3))
        XCTAssertNotEqual(
            ListenMode.detect(socketPath: nil, socketMode: nil, environment: ["LISTEN_FDS": "1", "LISTEN_PID": "1"]),
            .inheritedSocket(descriptor: 3), "sockets passed to another process are not ours")
        XCTAssertEqual(
            ListenMode.detect(socketPath: "/tmp/explicit.sock", socketMode: nil, environment: mine),
            .unixSocket(path: "/tmp/explicit.sock", mode: nil), "an explicit socket wins")
    }

    func testSocketGroupIsGivenToTheSocket() throws {
        guard let group = getgrnam("nogroup") ?? getgrnam("nobody") else { throw XCTSkip("no nogroup/nobody group on this system") }
        let gid = group.pointee.gr_gid
        guard getuid() == 0 || getgroups(0, nil) > 0 && gid == getgid() else { throw XCTSkip("chown to another group needs root or membership") }
        let temporary = try TemporaryDirectory(prefix: "grp")
        defer { temporary.remove() }
        let directory = temporary.url
        let path = directory.appendingPathComponent("s.sock").path
        let server = FastCGIServer(mode: .unixSocket(path: path, mode: 0o660, group: gid), threads: 1, maxBodyBytes: 16)
        let finished = DispatchSemaphore(value: 0)
        let failure = Locked<(any Error)?>(nil)
        Thread.detachNewThread {
            do { try server.run { _ in HTTPResponse(status: 200) } } catch { failure.withLock { $0 = error } }
            finished.signal()
        }
        try Self.waitUntilListening(path)
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_gid, gid)
        XCTAssertEqual(info.st_mode & 0o777, 0o660)
        server.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 5), .success)
        XCTAssertNil(failure.value, "the server ran without an error")
    }

    /// Runs a server on a unix socket in this process; stops it afterwards.
    private func withServer(_ body: (String) throws -> Void) throws {
        let temporary = try TemporaryDirectory(prefix: "fcgi")
        defer { temporary.remove() }
        let directory = temporary.url
        let path = directory.appendingPathComponent("s.sock").path
        let server = FastCGIServer(mode: .unixSocket(path: path, mode: 0o600), threads: 4, maxBodyBytes: 16)
        let finished = DispatchSemaphore(value: 0)
        let failure = Locked<(any Error)?>(nil)
        let slowStarted = self.slowStarted
        Thread.detachNewThread {
            do {
                try server.run { request in
                    if request.path == "/slow" {
                        slowStarted.signal()
                        Thread.sleep(forTimeInterval: 1.5)
                    }
                    let text = "\(request.method) \(String(decoding: request.body, as: UTF8.self)) \(request.bodyTooLarge)"
                    return HTTPResponse(status: 201, headers: [("X-Echo", "yes")], body: Array(text.utf8))
                }
            } catch { failure.withLock { $0 = error } }
            finished.signal()
        }
        try Self.waitUntilListening(path)
        defer {
            server.stop()
            XCTAssertEqual(finished.wait(timeout: .now() + 5), .success, "the server stops when asked")
            XCTAssertNil(failure.value, "the server ran without an error")
        }
        try body(path)
    }

    /// Signalled by the server when it starts answering `/slow`.
    private let slowStarted = DispatchSemaphore(value: 0)

    /// Returns once a client can connect to the unix socket at `path` (not merely once the file
    /// exists), or fails after five seconds.
    private static func waitUntilListening(_ path: String) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(5_000)  // a retry interval, not a wait for something to happen
        }
        XCTFail("the server did not listen on \(path) within 5 s")
        throw CocoaError(.fileReadNoSuchFile)
    }

    private static func call(_ socket: String, method: String, path: String = "/", body: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cgi-fcgi")
        process.arguments = ["-bind", "-connect", socket]
        process.environment = ["REQUEST_METHOD": method, "CONTENT_LENGTH": String(body.utf8.count), "REQUEST_URI": path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(body.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testRequestsThroughTheRealProtocol() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/bin/cgi-fcgi"), "needs cgi-fcgi (Debian libfcgi-bin)")
        try withServer { socket in
            let answer = try Self.call(socket, method: "POST", body: "hello")
            XCTAssertTrue(answer.hasPrefix("Status: 201 Created\r\n"), answer)
            XCTAssertTrue(answer.contains("X-Echo: yes\r\n"))
            XCTAssertTrue(answer.hasSuffix("POST hello false"), answer)
            XCTAssertTrue(
                try Self.call(socket, method: "POST", body: String(repeating: "x", count: 100)).hasSuffix("true"), "oversized body is flagged")
        }
    }

    func testSlowRequestDoesNotBlockOthers() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/bin/cgi-fcgi"), "needs cgi-fcgi (Debian libfcgi-bin)")
        try withServer { socket in
            let slowDone = DispatchSemaphore(value: 0)
            let slowAnswer = Locked<String?>(nil), slowFailure = Locked<(any Error)?>(nil)
            DispatchQueue.global().async {
                do { let answer = try Self.call(socket, method: "GET", path: "/slow"); slowAnswer.withLock { $0 = answer } } catch {
                    slowFailure.withLock { $0 = error }
                }
                slowDone.signal()
            }
            XCTAssertEqual(slowStarted.wait(timeout: .now() + 5), .success, "the slow request is being answered")
            let started = Date()
            XCTAssertTrue(try Self.call(socket, method: "GET").hasPrefix("Status: 201"))
            XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "answered while the slow request is still running")
            XCTAssertEqual(slowDone.wait(timeout: .now() + 5), .success)
            XCTAssertNil(slowFailure.value, "the slow client ran without an error")
            XCTAssertTrue(
                slowAnswer.value?.hasPrefix("Status: 201") == true, "the slow request is answered too: \(String(describing: slowAnswer.value))")
        }
    }
}
