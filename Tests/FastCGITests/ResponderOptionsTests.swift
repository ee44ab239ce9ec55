import XCTest

@testable import FastCGI

/// The responder's hand-written command line (ResponderOptions): typed values, the same messages
/// as before, and no arguments at all as a CGI program.
final class ResponderOptionsTests: XCTestCase {
    private func parsed(_ arguments: [String], environment: [String: String] = [:]) throws -> ResponderOptions {
        try ResponderOptions.commandLine(arguments, environment: environment)
    }

    private func message(_ arguments: [String]) -> String? {
        do { _ = try ResponderOptions.commandLine(arguments, environment: [:]); return nil } catch { return error.description }
    }

    func testDefaults() throws {
        let options = try parsed([])
        XCTAssertEqual(options, ResponderOptions())
        XCTAssertNil(options.configFile)
        XCTAssertNil(options.socketPath)
        XCTAssertEqual(options.threads, 16)
        XCTAssertEqual(options.readTimeout, 10)
        XCTAssertFalse(options.helpRequested)
    }

    func testEveryOptionIsTyped() throws {
        let options = try parsed([
            "--config", "/etc/credit.conf", "--socket", "/run/credit.sock", "--socket-mode", "0660",
            "--socket-group", "root", "--threads", "32", "--read-timeout", "2.5",
        ])
        XCTAssertEqual(options.configFile, "/etc/credit.conf")
        XCTAssertEqual(options.socketPath, "/run/credit.sock")
        XCTAssertEqual(options.socketMode, 0o660)
        XCTAssertEqual(options.socketGroup, 0, "root is group 0")
        XCTAssertEqual(options.threads, 32)
        XCTAssertEqual(options.readTimeout, 2.5)
        XCTAssertEqual(try parsed(["--threads", "8", "--threads", "4"]).threads, 4, "the last one wins")
    }

    func testUsageErrors() {
        XCTAssertEqual(message(["--bogus"]), "unknown option --bogus")
        XCTAssertEqual(message(["--config"]), "--config takes the path of a configuration file")
        XCTAssertEqual(message(["--socket"]), "--socket takes a unix socket path or HOST:PORT")
        XCTAssertEqual(message(["--socket-mode", "rw"]), "--socket-mode takes an octal mode such as 0660")
        XCTAssertEqual(message(["--socket-mode", "0990"]), "--socket-mode takes an octal mode such as 0660")
        XCTAssertEqual(message(["--socket-group"]), "--socket-group takes a group name, e.g. www-data")
        XCTAssertEqual(message(["--socket-group", "no-such-group-here"]), "there is no group no-such-group-here")
        for bad in ["0", "257", "many", "-1"] {
            XCTAssertEqual(message(["--threads", bad]), "--threads takes a number from 1 to 256", bad)
        }
        for bad in ["0.05", "601", "soon", "nan", "inf"] {
            XCTAssertEqual(message(["--read-timeout", bad]), "--read-timeout takes a number of seconds from 0.1 to 600", bad)
        }
        XCTAssertEqual(message(["--threads"]), "--threads takes a number from 1 to 256")
        XCTAssertEqual(message(["--read-timeout"]), "--read-timeout takes a number of seconds from 0.1 to 600")
    }

    func testParseReadsAndValidateChecksRanges() throws {
        let options = try ResponderOptions.parse(["--threads", "0"])
        XCTAssertEqual(options.threads, 0, "a number is a number to parse(_:)")
        XCTAssertThrowsError(try options.validate())
        XCTAssertNoThrow(try ResponderOptions.parse(["--threads", "256", "--read-timeout", "0.1"]).validate())
        XCTAssertNoThrow(try ResponderOptions.parse(["--read-timeout", "600"]).validate())
    }

    func testHelpStopsReadingAndSkipsValidation() throws {
        XCTAssertTrue(try parsed(["--help"]).helpRequested)
        XCTAssertTrue(try parsed(["--threads", "999", "-h", "--bogus"]).helpRequested)
        XCTAssertEqual(message(["--bogus", "--help"]), "unknown option --bogus", "what comes before help is still read")
    }

    func testACGIProgramIgnoresEveryArgument() throws {
        let cgi = ["GATEWAY_INTERFACE": "CGI/1.1"]
        XCTAssertEqual(try parsed(["--config", "/tmp/theirs.conf", "--threads", "0", "--bogus"], environment: cgi), ResponderOptions())
        XCTAssertFalse(try parsed(["--help"], environment: cgi).helpRequested, "a query string of `--help` is not a request for usage")
    }
}
