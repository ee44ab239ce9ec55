import ArgumentParser
import Foundation

/// `credit setup systemd`: units for a server with systemd, and the configuration file they read.
///
/// - `credit-fcgi.socket` owns the responder's socket (the web server's group may connect) and
///   starts `credit-fcgi.service` on the first request; the responder serves the socket systemd
///   passes it (`LISTEN_FDS`), as it serves the one spawn-fcgi or mod_fcgid passes on fd 0.
/// - `credit-fcgi.service` first runs `credit init` as the service account, so the key and the
///   database belong to it.
/// - `credit-worker.service` scores the queue; `systemctl reload credit-worker` reloads the model.
struct SystemdSetup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "systemd", abstract: "Render systemd units and their configuration file.")

    @Option(help: "Folder to write the units and credit.conf into (then copy them to /etc/systemd/system and --config).") var out: String
    @Option(help: "The account the services run as (create it first: useradd --system credit).") var user: String = "credit"
    @Option(help: "The web server's group, which may connect to the socket.") var socketGroup: String = "www-data"
    @Option(help: "Where the configuration file will be installed.") var config: String = "/etc/credit-scoring/credit.conf"
    @Option(help: "The unpacked credit-scoring folder (default: the one holding this program).") var bundle: String?

    func validate() throws {
        for (name, value) in [("--user", user), ("--socket-group", socketGroup)] {
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ValidationError("\(name) must be an account or group name (letters, digits, - _ .)")
            }
        }
        guard config.hasPrefix("/"), !config.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" }) else {
            throw ValidationError("--config must be an absolute path without spaces or quotes")
        }
    }

    /// The socket the units create, which the nginx include must name.
    static let socketPath = "/run/credit-scoring/fcgi.sock"

    func run() throws {
        let installed = try InstalledBundle.locate(override: bundle)
        guard !installed.root.contains(where: { $0.isWhitespace || "%\"'\\$;".contains($0) }) else {
            throw CommandError(
                "the bundle's path \(installed.root) holds a space or one of % \" ' \\ $ ;, which unit files would misread; unpack it elsewhere, e.g. /opt/credit-scoring"
            )
        }
        try DeploymentFiles.makeDirectory(out, mode: 0o755)
        for (name, text) in units(installed) {
            try DeploymentFiles.write(text, to: out + "/" + name, mode: name.hasSuffix(".conf") ? 0o640 : 0o644)
        }
        print(
            """
            wrote credit-fcgi.socket, credit-fcgi.service, credit-worker.service and credit.conf to \(out). As root:
              useradd --system --home-dir /var/lib/credit-scoring --shell /usr/sbin/nologin \(user)
              install -D -m 0640 -g \(user) \(out)/credit.conf \(config)
              cp \(out)/credit-fcgi.socket \(out)/credit-fcgi.service \(out)/credit-worker.service /etc/systemd/system/
              systemctl daemon-reload && systemctl enable --now credit-fcgi.socket credit-worker.service
              credit user add NAME --config \(config)    # as \(user): sudo -u \(user) …
            then include `credit setup nginx --prefix /credit/ --socket \(Self.socketPath)` in your server block.
            """)
    }

    func units(_ installed: InstalledBundle) -> [(String, String)] {
        let hardening = """
            NoNewPrivileges=yes
            ProtectSystem=strict
            ProtectHome=read-only
            PrivateTmp=yes
            PrivateDevices=yes
            ProtectKernelTunables=yes
            ProtectControlGroups=yes
            UMask=0077
            """
        // Both services: the account, its private state folder, and `credit init` as that account
        // first, so the signing key and the database are created by and for it.
        let account = """
            User=\(user)
            Group=\(user)
            StateDirectory=credit-scoring
            StateDirectoryMode=0700
            ExecStartPre=\(installed.executable("credit")) init --config \(config)
            """
        let socket = """
            # Written by `credit setup systemd`.
            [Unit]
            Description=Credit scoring: the FastCGI responder's socket

            [Socket]
            ListenStream=\(Self.socketPath)
            SocketUser=\(user)
            SocketGroup=\(socketGroup)
            SocketMode=0660
            DirectoryMode=0755
            Backlog=1024

            [Install]
            WantedBy=sockets.target

            """
        let responder = """
            # Written by `credit setup systemd`.
            [Unit]
            Description=Credit scoring: the FastCGI responder
            Requires=credit-fcgi.socket
            After=network.target credit-fcgi.socket

            [Service]
            \(account)
            ExecStart=\(installed.executable("credit-fcgi")) --config \(config)
            # Serves the socket that credit-fcgi.socket passes (LISTEN_FDS, fd 3).
            StandardOutput=journal
            StandardError=journal
            Restart=on-failure
            \(hardening)

            [Install]
            WantedBy=multi-user.target

            """
        let worker = """
            # Written by `credit setup systemd`.
            [Unit]
            Description=Credit scoring: the scoring worker
            After=network.target credit-fcgi.service

            [Service]
            \(account)
            RuntimeDirectory=credit-scoring-worker
            RuntimeDirectoryMode=0700
            ExecStart=\(installed.executable("credit-worker")) --config \(config)
            # Reloads the model file.
            ExecReload=/bin/kill -HUP $MAINPID
            Restart=always
            RestartSec=2
            \(hardening)

            [Install]
            WantedBy=multi-user.target

            """
        let configuration = """
            # Written by `credit setup systemd`: read by credit-fcgi, credit-worker and `credit … --config`.
            CREDIT_DB=/var/lib/credit-scoring/credit.sqlite
            CREDIT_SECRET_FILE=/var/lib/credit-scoring/secret.key
            CREDIT_MODEL=\(installed.models)/default.json
            CREDIT_WAKE_SOCKET=/run/credit-scoring-worker/wake.sock

            """
        return [
            ("credit-fcgi.socket", socket), ("credit-fcgi.service", responder), ("credit-worker.service", worker), ("credit.conf", configuration),
        ]
    }
}
