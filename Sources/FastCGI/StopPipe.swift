#if canImport(Glibc)
import Glibc
#endif

/// The write end of the self-pipe, for the signal handler (which may only call `write`).
nonisolated(unsafe) private var stopPipeWriteEnd: Int32 = -1

/// A self-pipe that turns SIGTERM and SIGINT (or a call to ``requestStop()``) into a wake-up of
/// the thread waiting in ``waitForStop()``.
final class StopPipe: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func installSignalHandlers() {
        stopPipeWriteEnd = writeEnd
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(stopPipeWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    func requestStop() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    func waitForStop() {
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
    }

    /// Waits for a stop request for at most `milliseconds`; true when one came.
    func waitForStop(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0 else { return false }
        var byte: UInt8 = 0
        _ = read(readEnd, &byte, 1)
        return true
    }
}
