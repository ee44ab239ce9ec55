import ArgumentParser

/// The worker's command line. main.swift only calls `parseOrExit()` and reads the values: the
/// signals, the loop and the exit codes stay in main.swift's top-level code, so this type has
/// no `run()`. A usage error exits with 64 (EX_USAGE), `--help` with 0.
struct WorkerOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit-worker",
        abstract: "Score queued applications.",
        discussion: """
            Configuration comes from the CREDIT_* environment variables and --config FILE or \
            CREDIT_CONFIG. SIGTERM and SIGINT finish the current batch and exit; SIGHUP reloads the model.
            """)

    @Flag(help: "Score what is queued, then exit (for cron on shared hosting); prints nothing when there was nothing to do, so cron sends no mail.")
    var drain = false

    @Option(help: ArgumentHelp("The worker's name in leases and heartbeats (default: host-pid).", valueName: "name"))
    var name: String?

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("A file of CREDIT_NAME=value lines (else CREDIT_CONFIG); the environment wins over it.", valueName: "file"))
    var configFile: String?
}
