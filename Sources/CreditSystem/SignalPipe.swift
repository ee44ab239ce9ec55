#if canImport(Glibc)
import Glibc
#endif

/// The write end of the pipe of the ``SignalPipe`` whose handlers are installed, for the signal
/// handler (which may only call async-signal-safe functions such as `write`).
nonisolated(unsafe) private var installedWriteEnd: Int32 = -1

/// Turns signals into bytes on a pipe (the self-pipe trick), so that a thread learns of them by
/// reading, with or without a timeout, and never runs code inside a signal handler. Both daemons
/// use it: the responder stops on SIGTERM or SIGINT; the worker also reloads its model on SIGHUP.
///
/// ``requestStop()`` puts a SIGTERM on the pipe without a signal, for a server stopped from
/// its own process (tests). SIGPIPE is ignored once handlers are installed: a closed peer is
/// an error to handle where it happens.
public final class SignalPipe: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    public init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// Routes `signals` to this pipe (the process's last installed pipe receives them).
    public func install(_ signals: [Int32]) {
        installedWriteEnd = writeEnd
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(installedWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        // Other threads' reads and writes carry on after a signal (as with signal()); a wait in
        // poll() returns at once all the same, which is how the waiting thread hears of it.
        action.sa_flags = SA_RESTART
        for number in signals { sigaction(number, &action, nil) }
        signal(SIGPIPE, SIG_IGN)
    }

    /// Puts a stop request (SIGTERM) on the pipe.
    public func requestStop() {
        var byte = UInt8(SIGTERM)
        _ = write(writeEnd, &byte, 1)
    }

    /// The next signal received, waiting at most `milliseconds` (0: only look; -1: wait for one).
    public func next(milliseconds: Int32) -> Int32? {
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR && milliseconds < 0 { continue }
            guard ready > 0 else { return nil }
            var byte: UInt8 = 0
            if read(readEnd, &byte, 1) == 1 { return Int32(byte) }
            if milliseconds >= 0 { return nil }
        }
    }

    /// Waits for a stop signal (SIGTERM or SIGINT) for at most `milliseconds` (-1: for ever);
    /// true when one came. Other signals on the pipe are passed over.
    public func waitForStop(milliseconds: Int32 = -1) -> Bool {
        while let number = next(milliseconds: milliseconds) {
            if number == SIGTERM || number == SIGINT { return true }
        }
        return false
    }
}
