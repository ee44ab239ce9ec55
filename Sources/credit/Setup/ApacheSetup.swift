import ArgumentParser
import CreditAPI
import Foundation

/// `credit setup apache`: the site, the API and its data on a host that offers Apache with CGI or
/// mod_fcgid and `AllowOverride All`, set up as the account that owns the document root.
///
/// Writes into the document root (or its prefix folder) the site, the model card's plots, a
/// wrapper that starts the responder with its configuration file, and an `.htaccess` that needs
/// no server configuration; creates the data folder (0700) with the configuration file, the
/// signing key and the database (0600 each) and the first user; prints the cron line.
struct ApacheSetup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apache", abstract: "Set up the site and API under Apache (CGI or mod_fcgid).")

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case cgi, fcgid
        var wrapperName: String { self == .cgi ? "credit.cgi" : "credit.fcgi" }
        var handler: String { self == .cgi ? "AddHandler cgi-script .cgi" : "AddHandler fcgid-script .fcgi" }
    }

    @Option(help: "The document root Apache serves (the site goes into its --prefix folder).") var docroot: String
    @Option(help: "A folder outside the document root for the configuration, the key and the database (created 0700).") var data: String
    @Option(help: "cgi: a process per request; fcgid: a resident process under mod_fcgid.") var mode: Mode = .cgi
    @Option(help: "The URL path to serve the site at, e.g. / or /credit/.") var prefix: String = "/"
    @Option(help: "The first user's name.") var admin: String
    @Flag(help: "Read the first user's password from the first line of standard input.") var passwordStdin = false
    @Option(help: "Minutes between two runs of the worker from cron.") var cronMinutes: Int = 1
    @Option(help: "The unpacked credit-scoring folder (default: the one holding this program).") var bundle: String?
    @Flag(help: "Replace an .htaccess that `credit setup` did not write.") var force = false

    func validate() throws {
        try DeploymentFiles.checkPrefix(prefix)
        guard (1...60).contains(cronMinutes) else { throw ValidationError("--cron-minutes must be from 1 to 60") }
        let root = DeploymentFiles.absolute(docroot), dataFolder = DeploymentFiles.absolute(data)
        guard !DeploymentFiles.isInside(dataFolder, root) else {
            throw ValidationError("--data must lie outside the document root \(root), or the web server could serve the key and the database")
        }
    }

    func run() throws {
        let installed = try InstalledBundle.locate(override: bundle)
        let root = DeploymentFiles.absolute(docroot), dataFolder = DeploymentFiles.absolute(data)
        guard FileManager.default.fileExists(atPath: root) else { throw CommandError("the document root \(root) does not exist") }
        let target = DeploymentFiles.absolute(root + prefix)
        let htaccess = target + "/.htaccess"
        if !force, let existing = try? String(contentsOfFile: htaccess, encoding: .utf8), !existing.hasPrefix(Self.marker) {
            throw CommandError("\(htaccess) exists and was not written by `credit setup`; move it away, choose another --prefix, or give --force")
        }
        let password = try readPassword(fromStandardInput: passwordStdin)
        // Checked before anything is written; the account is created below with the same rules.
        if let problem = AccountAdministration.problems(name: admin, password: password).values.first?.first { throw CommandError(problem) }

        // Data: private to this account.
        try DeploymentFiles.makeDirectory(dataFolder, mode: 0o700)
        let configPath = dataFolder + "/credit.conf"
        try DeploymentFiles.write(configFile(installed: installed), to: configPath, mode: 0o600)
        let settings: ServiceConfiguration
        do { settings = try ServiceConfiguration.load(configFile: configPath, environment: [:]) } catch { throw CommandError(error.description) }
        for line in try initialiseState(settings) { print(line) }
        if try openStore(settings).user(named: admin) == nil {
            try addUser(name: admin, password: password, role: .admin, settings: settings)
            print("created user \(admin)")
        } else {
            print("user \(admin) exists; kept")
        }

        // Site, plots, wrapper, .htaccess.
        try DeploymentFiles.copyTree(from: installed.site, to: target)
        try DeploymentFiles.copyTree(from: installed.models, to: target + "/models") { $0.hasSuffix(".svg") || $0.hasSuffix(".md") }
        try DeploymentFiles.makeDirectory(target + "/errors", mode: 0o755)
        for problem in Self.errorDocuments {
            try DeploymentFiles.write(
                String(decoding: problem.response().body, as: UTF8.self), to: target + "/errors/\(problem.status).json", mode: 0o644)
        }
        try DeploymentFiles.write(wrapper(installed: installed, configPath: configPath), to: target + "/" + mode.wrapperName, mode: 0o755)
        try DeploymentFiles.write(htaccessText(), to: htaccess, mode: 0o644)
        for stale in Mode.allCases where stale != mode { try? FileManager.default.removeItem(atPath: target + "/" + stale.wrapperName) }

        // cron reads % as a line break: escape it in the paths.
        let command =
            "\(DeploymentFiles.shellQuoted(installed.executable("credit-worker"))) --drain --config "
            + "\(DeploymentFiles.shellQuoted(configPath)) >> \(DeploymentFiles.shellQuoted(dataFolder + "/worker.log")) 2>&1"
        let cron = "\(cronMinutes == 1 ? "*" : "*/\(cronMinutes)") * * * * " + command.replacingOccurrences(of: "%", with: "\\%")
        print(
            """
            site and API in \(target) (\(mode.rawValue)), served at \(prefix) and \(prefix)api/
            data in \(dataFolder) (configuration \(configPath))
            Add this line to your crontab (crontab -e) so that queued applications are scored:
            \(cron)
            """)
    }

    /// Written first in every `.htaccess` this command makes, so that a rerun may replace it.
    static let marker = "# Written by `credit setup apache`"

    /// The JSON problems Apache serves for its own errors (the responder missing or failing).
    static let errorDocuments = [
        Problem(
            type: "internal", title: "Internal error", status: 500,
            detail: "The scoring service failed to start; its configuration or files may be unreadable. The host's error log says why."),
        Problem(
            type: "unavailable", title: "Service unavailable", status: 503, detail: "The scoring service is not answering; retry in a few seconds."),
    ]

    func configFile(installed: InstalledBundle) -> String {
        """
        # Written by `credit setup apache`. Relative paths are relative to this file's folder.
        CREDIT_DB=credit.sqlite
        CREDIT_SECRET_FILE=secret.key
        CREDIT_MODEL=\(installed.models)/default.json
        CREDIT_BASE_PATH=\(prefix)
        CREDIT_DRAIN_INTERVAL=\(cronMinutes * 60)

        """
    }

    /// The program Apache starts: it names the configuration file and replaces itself with the
    /// responder (which keeps mod_fcgid's listening socket on fd 0). Apache's arguments are not
    /// passed on: for CGI they are the query string's words.
    func wrapper(installed: InstalledBundle, configPath: String) -> String {
        """
        #!/bin/sh
        # Written by `credit setup apache`: starts the credit-scoring responder with its configuration.
        CREDIT_CONFIG=\(DeploymentFiles.shellQuoted(configPath)) exec \(DeploymentFiles.shellQuoted(installed.executable("credit-fcgi")))

        """
    }

    func htaccessText() -> String {
        let headers = SecurityHeaders.all.map { "Header always set \($0.name) \"\($0.value)\"" }.joined(separator: "\n")
        return """
            \(Self.marker) (\(mode.rawValue)): the credit-scoring site and its API at \(prefix)api/.
            # Needs only AllowOverride All, mod_rewrite, mod_headers and Apache 2.4.13 or later (CGIPassAuth).
            Options -Indexes +ExecCGI +SymLinksIfOwnerMatch
            DirectoryIndex index.html
            \(mode.handler)
            # Apache withholds the Authorization header from programs unless told to pass it on.
            CGIPassAuth On
            AddType text/javascript .js .mjs
            AddType application/json .json
            AddType image/svg+xml .svg
            AddType text/markdown .md
            AddDefaultCharset utf-8

            RewriteEngine On
            RewriteRule ^api(/.*)?$ \(mode.wrapperName) [L]

            # Nothing but the site: no hidden files, configuration, keys, databases or logs, even if copied here.
            <FilesMatch "(?i)(^\\.|\\.(conf|key|pem|bak|db|log|sh|env)$|\\.sqlite)">
                Require all denied
            </FilesMatch>

            # Compressed where the host has mod_deflate; the site's files are revalidated (no build step
            # versions their names).
            <IfModule mod_deflate.c>
                AddOutputFilterByType DEFLATE text/html text/css text/javascript application/json application/problem+json image/svg+xml
            </IfModule>
            <FilesMatch "\\.(html|css|js|json|svg|md)$">
                Header set Cache-Control "no-cache"
            </FilesMatch>

            # Apache's own failures (the responder cannot start) as JSON problems, like the API's.
            ErrorDocument 500 \(prefix)errors/500.json
            ErrorDocument 503 \(prefix)errors/503.json
            <FilesMatch "^[0-9]{3}\\.json$">
                ForceType application/problem+json
            </FilesMatch>

            \(headers)

            """
    }
}
