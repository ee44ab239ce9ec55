import ArgumentParser

/// `credit setup`: renders a working deployment from the installed files, so that nobody edits
/// placeholders by hand.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup", abstract: "Render a deployment: Apache (shared hosting), an nginx include, or systemd units.",
        subcommands: [ApacheSetup.self, NginxSetup.self, SystemdSetup.self])
}
