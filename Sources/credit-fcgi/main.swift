import CreditAPI
import FastCGI
#if canImport(Glibc)
import Glibc
#endif

// credit-fcgi: the FastCGI responder. It serves
//   --socket PATH [--socket-mode 0660]   a unix socket it creates (or --socket 127.0.0.1:9000),
//   an inherited listening socket on fd 0 (spawn-fcgi, mod_fcgid), or
//   one request as a plain CGI program (then unknown arguments are ignored: servers may pass query words).
// Configuration comes from the CREDIT_* environment variables (see ServiceConfiguration).

let environment = ServiceConfiguration.processEnvironment()
var socketPath: String?
var socketMode: UInt16?
var threads = 16
var arguments = CommandLine.arguments.dropFirst()
let isCGI = environment["GATEWAY_INTERFACE"] != nil
while let argument = arguments.popFirst() {
    switch argument {
    case "--socket": socketPath = arguments.popFirst()
    case "--socket-mode":
        guard let text = arguments.popFirst(), let mode = UInt16(text, radix: 8) else { fail("--socket-mode takes an octal mode such as 0660") }
        socketMode = mode
    case "--threads":
        guard let text = arguments.popFirst(), let count = Int(text), (1...256).contains(count) else { fail("--threads takes a number from 1 to 256") }
        threads = count
    case "-h" where !isCGI, "--help" where !isCGI:
        print("usage: credit-fcgi [--socket PATH|HOST:PORT] [--socket-mode OCTAL] [--threads N]")
        exit(0)
    default:
        if !isCGI { fail("unknown option \(argument)") }
    }
}

let service: CreditService
do {
    service = try CreditService(configuration: try ServiceConfiguration.fromEnvironment())
} catch {
    fail("cannot start: \(error)")
}
guard let mode = ListenMode.detect(socketPath: socketPath, socketMode: socketMode, environment: environment) else {
    fail("\(FastCGIError.noListener)")
}
let server = FastCGIServer(mode: mode, threads: threads, maxBodyBytes: service.configuration.maxBodyBytes)
do {
    try server.run { request in Bridge.response(service.handle(Bridge.request(request))) }
} catch {
    fail("\(error)")
}
