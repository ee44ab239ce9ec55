import CreditAPI
import CreditLog
import CreditSystem
import FastCGI

#if canImport(Glibc)
import Glibc
#endif

// credit-fcgi: the FastCGI responder. It serves
//   --socket PATH [--socket-mode 0660] [--socket-group www-data]   a unix socket it creates (or --socket 127.0.0.1:9000),
//   an inherited listening socket on fd 0 (spawn-fcgi, mod_fcgid, systemd socket activation), or
//   one request as a plain CGI program.
// Configuration comes from the CREDIT_* environment variables and `--config FILE` or CREDIT_CONFIG
// (see ServiceConfiguration). The options are parsed by hand, not with ArgumentParser, which would
// bring Foundation in (see ResponderOptions in FastCGI); as a CGI program every argument is ignored.

// A resident responder runs with a larger per-thread allocator cache (see AllocatorTuning); a
// CGI process serves one request and is not started twice.
if getenv("GATEWAY_INTERFACE") == nil { AllocatorTuning.restartWithTunedAllocator() }
// Everything this program creates (the database, its WAL and SHM) is private to its account.
umask(0o077)
let environment = ServiceConfiguration.processEnvironment()
let options: ResponderOptions
do { options = try ResponderOptions.commandLine(CommandLine.arguments.dropFirst(), environment: environment) } catch { fail(error.description) }
if options.helpRequested {
    print(ResponderOptions.usage)
    exit(0)
}
let threads = options.threads

let service: CreditService
do {
    let configuration = try ServiceConfiguration.load(configFile: options.configFile, environment: environment)
    CreditLogging.bootstrap(environment: configuration.logLevel)
    if let warning = configuration.shortRetentionWarning { warn(warning) }
    // A sign-in holds its serving thread while it waits for a hashing slot: past half the
    // threads, a burst of sign-ins can leave submissions without one.
    if configuration.maxSignInsInFlight > threads / 2 {
        warn(
            "CREDIT_SIGNIN_CONCURRENCY=\(configuration.maxSignInsInFlight) lets sign-ins hold more than half of the \(threads) threads; "
                + "a burst of sign-ins will slow submissions (keep it at most \(threads / 2), or raise --threads)")
    }
    service = try CreditService(configuration: configuration, logger: Logger(label: "credit-fcgi"))
} catch {
    fail("cannot start: \(error)")
}
guard
    let mode = ListenMode.detect(
        socketPath: options.socketPath, socketMode: options.socketMode, socketGroup: options.socketGroup,
        environment: environment)
else {
    fail("\(FastCGIError.noListener)")
}
// Files of applications (POST …/api/batches) may be far larger than a single request, but only a
// caller with a valid token gets them read: an anonymous client cannot make the responder hold
// 64 MiB per thread (it gets its 401 after the first 64 KiB).
let batchBytes = service.configuration.maxBatchBytes, bodyBytes = service.configuration.maxBodyBytes
let server = FastCGIServer(
    mode: mode, threads: threads, maxBodyBytes: bodyBytes, readTimeout: options.readTimeout,
    bodyLimit: { params in
        let path = (params["DOCUMENT_URI"] ?? params["REQUEST_URI"] ?? "").split(separator: "?", maxSplits: 1).first ?? ""
        guard params["REQUEST_METHOD"] == "POST", path.hasSuffix("/api/batches") || path.hasSuffix("/api/batches/") else { return bodyBytes }
        return service.carriesValidToken(HTTPHeaders(cgi: params)["authorization"]) ? batchBytes : bodyBytes
    })
do {
    let basePath = service.configuration.basePath
    try server.run { request in service.handle(request.mounted(at: basePath)) }
} catch {
    fail("\(error)")
}
