#if canImport(Glibc)
import Glibc
#endif

/// Wakes the worker right after a job is committed: a one-byte datagram on a unix socket.
///
/// The worker blocks on the socket with a timeout (the slow poll that covers lost datagrams and
/// other submitters), so an enqueue is picked up within a millisecond without busy polling.
/// Sending never blocks and never fails the request: if no worker listens, the datagram is dropped.
public final class QueueWakeupSender: @unchecked Sendable {
    private let descriptor: Int32
    private var address: sockaddr_un
    private let addressLength: socklen_t

    public init(path: String) {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        (address, addressLength) = makeAddress(path)
    }

    deinit { close(descriptor) }

    /// Sends the wake-up; errors (no listener, full buffer) are ignored on purpose.
    public func notify() {
        var byte: UInt8 = 1
        var target = address
        _ = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, &byte, 1, Int32(MSG_DONTWAIT), $0, addressLength) }
        }
    }
}

/// The worker's end of ``QueueWakeupSender``.
public final class QueueWakeupListener {
    private let descriptor: Int32
    public let path: String

    /// Binds the socket at `path` (replacing a stale one), readable and writable by owner and group.
    public init(path: String) throws(StoreError) {
        self.path = path
        guard path.utf8.count < 100 else { throw .invalid("the wake-up socket path \(path) is too long (at most 99 bytes)") }
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        unlink(path)
        var (address, length) = makeAddress(path)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .invalid("cannot bind the wake-up socket \(path): \(reason)")
        }
        chmod(path, 0o660)
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Waits up to `timeout` seconds for a wake-up; returns true if one came. Drains pending ones.
    @discardableResult
    public func wait(timeout: Double) -> Bool {
        var descriptors = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptors, 1, Int32(max(0, (timeout * 1000).rounded(.up))))
        guard ready > 0 else { return false }
        _ = arrivals()
        return true
    }

    /// Reads every pending wake-up without waiting; returns how many there were.
    public func arrivals() -> Int {
        var buffer = [UInt8](repeating: 0, count: 64), count = 0
        while recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 { count += 1 }
        return count
    }
}

private func makeAddress(_ path: String) -> (sockaddr_un, socklen_t) {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8.prefix(107))
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in bytes.enumerated() { raw[index] = byte }
        raw[bytes.count] = 0
    }
    return (address, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
}
