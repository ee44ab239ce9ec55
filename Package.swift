// swift-tools-version:6.0
import PackageDescription

// Linux only: the daemons use glibc calls (pthreads, POSIX semaphores, per-thread setpriority)
// and Debian's system libraries; no other platform is built or tested.
let package = Package(
    name: "CreditScoring",
    products: [
        .library(name: "CreditScoring", targets: ["CreditScoring"]),
        .library(name: "CreditModel", targets: ["CreditModel"]),
        .executable(name: "credit", targets: ["credit"]),
        .executable(name: "credit-fcgi", targets: ["credit-fcgi"]),
        .executable(name: "credit-worker", targets: ["credit-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The logging API; its core is Foundation-free, so the responder stays small.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian (libsqlite3-dev, libfcgi-dev, libssl-dev), each behind a thin Swift module.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libpq (libpq-dev for the header), loaded with dlopen on first use, so only deployments
        // that use PostgreSQL need the client library installed.
        .target(name: "CLibPQ"),

        // Pure Swift: applicant schema, PAKDD reader, features, models, explanations,
        // metrics and the model file. No network, no database, no C library.
        // JSON values: a strict, depth-limited parser and a deterministic writer.
        .target(name: "CreditJSON"),
        // The applicant schema and its validation: shared by the API (which must not pull in the
        // model engine and Foundation) and the model engine.
        // The languages people read (Brazilian Portuguese first, English), with a catalog each.
        .target(name: "CreditText"),
        .target(name: "CreditSchema", dependencies: ["CreditJSON", "CreditText"]),
        // Stability of scores and inputs against a model's validation data (PSI, CSI): shared by
        // `credit monitor` and the responder's `/api/monitoring`, so Foundation-free.
        .target(name: "CreditMonitoring", dependencies: ["CreditSchema", "CreditSystem"]),
        // The scoring engine: the model file, the compiled pipeline, the forest and the scorecard,
        // explanations, reasons and the policy. The worker links this and nothing of training.
        .target(name: "CreditScoring", dependencies: ["CreditSchema", "CreditMonitoring", "CreditText"]),
        // Training, evaluation and reports beside the engine (the `credit` command's model tools).
        .target(name: "CreditModel", dependencies: ["CreditSchema", "CreditMonitoring", "CreditScoring", "CreditSystem", "CreditText"]),
        // The governance and account domain, knowing no database: roles, account rules, reviews,
        // audit entries and their hash chain, API keys, the model register, outcomes, shadow results.
        .target(name: "CreditGovernance", dependencies: ["CreditSystem"]),
        // The job queue and users behind a store interface: one SQL layer, SQLite embedded,
        // PostgreSQL for more than one host.
        .target(name: "CreditStore", dependencies: ["CSQLite", "CLibPQ", "CreditSystem", "CreditGovernance", "CreditConfig"]),
        // JWT (HS256) and password hashing (scrypt) on OpenSSL.
        .target(name: "CreditAuth", dependencies: ["COpenSSL", "CreditJSON", "CreditSystem"]),
        // The CREDIT_* settings from the environment and a configuration file: shared by the
        // responder, the worker and the command line without pulling in the HTTP layer.
        .target(name: "CreditConfig", dependencies: ["CreditSchema", "CreditSystem", "CreditText"]),
        // Structured logs: one JSON line per event on standard error, through swift-log.
        .target(name: "CreditLog", dependencies: ["CreditSystem", .product(name: "Logging", package: "swift-log")]),
        // The waiting primitives both daemons share: signals through a self-pipe, and a semaphore.
        // Shared state sits behind Synchronization.Mutex everywhere.
        // and the low-level pieces every module shares: SHA-256 (OpenSSL), the clock, RFC 3339 times.
        .target(name: "CreditSystem", dependencies: ["COpenSSL"]),
        // HTTP requests and responses, read lazily from CGI parameters: one set of types from the
        // FastCGI layer to the handlers.
        .target(name: "CreditHTTP"),
        // The libfcgi binding: FastCGI on a socket or inherited fd 0, or plain CGI.
        .target(name: "FastCGI", dependencies: ["CFastCGI", "CreditHTTP", "CreditSystem"]),
        // Routes and handlers as plain request-to-response functions. Like everything the responder
        // links, it uses no Foundation: the responder stays small in memory and quick to start as CGI.
        .target(
            name: "CreditAPI",
            dependencies: [
                "CreditJSON", "CreditSchema", "CreditStore", "CreditAuth", "CreditMonitoring", "CreditLog", "CreditConfig", "CreditHTTP",
                "CreditGovernance", "CreditSystem", "CreditText",
            ]),
        // The scoring worker's loop: claim, score with the model, record.
        .target(
            name: "CreditWorker",
            dependencies: [
                "CreditConfig", "CreditScoring", "CreditStore", "CreditGovernance", "CreditSystem", "CreditJSON", "CreditLog", "CreditText",
            ]),

        .executableTarget(
            name: "credit",
            dependencies: [
                "CreditModel", "CreditSchema", "CreditStore", "CreditGovernance", "CreditSystem", "CreditAuth", "CreditAPI", "CreditText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The responder parses its options by hand (ResponderOptions in FastCGI): swift-argument-parser
        // imports FoundationEssentials, and the responder links no Foundation.
        .executableTarget(name: "credit-fcgi", dependencies: ["CreditAPI", "FastCGI", "CreditLog", "CreditSystem"]),
        .executableTarget(
            name: "credit-worker",
            dependencies: [
                "CreditWorker", "CreditConfig", "CreditStore", "CreditLog", "CreditSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // What several test targets share: temporary directories, a clock moved by hand, a value behind a lock.
        .target(name: "CreditTestSupport", dependencies: ["CreditStore", "CreditGovernance"], path: "Tests/TestSupport"),
        .testTarget(name: "CreditJSONTests", dependencies: ["CreditJSON"]),
        .testTarget(name: "CreditTextTests", dependencies: ["CreditText", "CreditSchema"]),
        .testTarget(name: "CreditGovernanceTests", dependencies: ["CreditGovernance"]),
        .testTarget(
            name: "CreditModelTests", dependencies: ["CreditTestSupport", "CreditModel", "CreditScoring", "CreditJSON", "CreditSystem", "CreditText"]),
        .testTarget(name: "CreditStoreTests", dependencies: ["CreditTestSupport", "CreditStore", "CreditGovernance"]),
        .testTarget(name: "CreditAuthTests", dependencies: ["CreditTestSupport", "CreditAuth"]),
        .testTarget(name: "FastCGITests", dependencies: ["CreditTestSupport", "FastCGI", "CreditHTTP"]),
        .testTarget(name: "CreditHTTPTests", dependencies: ["CreditHTTP"]),
        .testTarget(name: "CreditSchemaTests", dependencies: ["CreditSchema", "CreditText"]),
        .testTarget(name: "CreditLogTests", dependencies: ["CreditLog", "CreditJSON"]),
        .testTarget(
            name: "CreditAPITests",
            dependencies: [
                "CreditTestSupport", "CreditAPI", "CreditWorker", "CreditJSON", "CreditModel", "CreditStore", "CreditAuth", "CreditGovernance",
                "CreditSystem", "CreditLog", "CreditText",
            ]),
    ]
)
