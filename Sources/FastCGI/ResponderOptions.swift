#if canImport(Glibc)
import Glibc
#endif

/// The responder's command line:
///
///     credit-fcgi [--config FILE] [--socket PATH|HOST:PORT] [--socket-mode OCTAL] [--socket-group GROUP]
///                 [--threads N] [--read-timeout SECONDS]
///
/// Shaped like a swift-argument-parser command — ``parse(_:)`` turns the words into typed values
/// (an unknown option, a missing or malformed value is an error), ``validate()`` checks the
/// ranges — but parsed by hand, because swift-argument-parser imports FoundationEssentials and
/// the responder links no Foundation at all (Tests/integration/test_footprint.py checks it with
/// ldd): it stays small in memory and quick to start as a CGI program. `credit` and
/// `credit-worker` use ArgumentParser. It lives here rather than in the responder's executable
/// target so that FastCGITests can test it.
///
/// As a CGI program every argument is ignored (``commandLine(_:environment:)``): a web server
/// may pass the words of a query string as arguments, and a client must not be able to choose
/// the configuration, the socket or the number of threads.
public struct ResponderOptions: Sendable, Equatable {
    public static let usage =
        "usage: credit-fcgi [--config FILE] [--socket PATH|HOST:PORT] [--socket-mode OCTAL] [--socket-group GROUP] [--threads N] [--read-timeout SECONDS]"

    /// `--config FILE`: a file of CREDIT_NAME=value lines (else CREDIT_CONFIG).
    public var configFile: String?
    /// `--socket PATH|HOST:PORT`: a unix socket to create, or a TCP address (see ``ListenMode/detect(socketPath:socketMode:socketGroup:environment:)``).
    public var socketPath: String?
    /// `--socket-mode OCTAL`: the unix socket's permissions, e.g. 0660.
    public var socketMode: UInt16?
    /// `--socket-group GROUP`: the unix socket's group (given by name, kept as its id).
    public var socketGroup: UInt32?
    /// `--threads N`: serving threads, 1 to 256.
    public var threads = 16
    /// `--read-timeout SECONDS`: how long a connection may stay silent while its request is read, 0.1 to 600.
    public var readTimeout = 10.0
    /// `-h` or `--help`: print ``usage`` and exit. Nothing after it is read, and nothing is validated.
    public var helpRequested = false

    public init() {}

    /// A usage error, worded for the command line (the responder prints it after `credit-fcgi: `).
    public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// This process's options: none as a CGI program (`GATEWAY_INTERFACE` is set), else
    /// `arguments` (without the program's name) parsed and, unless help was asked for, validated.
    public static func commandLine(_ arguments: some Sequence<String>, environment: [String: String]) throws(UsageError) -> ResponderOptions {
        if environment["GATEWAY_INTERFACE"] != nil { return ResponderOptions() }
        let options = try parse(arguments)
        if !options.helpRequested { try options.validate() }
        return options
    }

    /// Reads the options in order; the last of a repeated option wins. Stops at `-h` or `--help`.
    public static func parse(_ arguments: some Sequence<String>) throws(UsageError) -> ResponderOptions {
        var options = ResponderOptions()
        var words = arguments.makeIterator()
        while let argument = words.next() {
            switch argument {
            case "--socket":
                guard let value = words.next() else { throw UsageError("--socket takes a unix socket path or HOST:PORT") }
                options.socketPath = value
            case "--config":
                guard let path = words.next() else { throw UsageError("--config takes the path of a configuration file") }
                options.configFile = path
            case "--socket-mode":
                guard let text = words.next(), let mode = UInt16(text, radix: 8) else {
                    throw UsageError("--socket-mode takes an octal mode such as 0660")
                }
                options.socketMode = mode
            case "--socket-group":
                guard let name = words.next() else { throw UsageError("--socket-group takes a group name, e.g. www-data") }
                guard let group = getgrnam(name) else { throw UsageError("there is no group \(name)") }
                options.socketGroup = group.pointee.gr_gid
            case "--read-timeout":
                guard let text = words.next(), let seconds = Double(text) else { throw Self.readTimeoutError }
                options.readTimeout = seconds
            case "--threads":
                guard let text = words.next(), let count = Int(text) else { throw Self.threadsError }
                options.threads = count
            case "-h", "--help":
                options.helpRequested = true
                return options
            default:
                throw UsageError("unknown option \(argument)")
            }
        }
        return options
    }

    /// Checks the values `parse(_:)` could read but the responder cannot use.
    public func validate() throws(UsageError) {
        guard readTimeout >= 0.1, readTimeout <= 600 else { throw Self.readTimeoutError }
        guard (1...256).contains(threads) else { throw Self.threadsError }
    }

    private static let readTimeoutError = UsageError("--read-timeout takes a number of seconds from 0.1 to 600")
    private static let threadsError = UsageError("--threads takes a number from 1 to 256")
}
