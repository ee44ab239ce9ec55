import ArgumentParser
import Foundation

/// `credit setup nginx`: the nginx configuration for the site and its API, rendered with this
/// installation's paths.
///
/// By default an include for an existing `server { }` block that claims only the locations under
/// `--prefix` (never `location /`), sends the security headers from inside them and keeps its JSON
/// error pages to them. With `--server`, a complete server block for a dedicated (sub)domain.
struct NginxSetup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nginx", abstract: "Render the nginx configuration (an include, or a whole server block).")

    @Option(help: "The URL path to serve the site at, e.g. /credit/ (an include needs one; / is for --server).") var prefix: String = "/"
    @Option(
        help:
            "The responder's unix socket (credit-fcgi --socket), or host:port for one on another host. Repeat it for several responders: they become an upstream that nginx spreads requests over and skips when one is down."
    )
    var socket: [String]
    @Flag(help: "Render a complete server block instead of an include.") var server = false
    @Option(help: "With --server: the listen address.") var listen: String = "80"
    @Option(help: "With --server: the server name.") var serverName: String = "_"
    @Option(help: "With --server: serve HTTPS with this certificate (PEM; the listen address gets `ssl`).") var sslCertificate: String?
    @Option(help: "With --server: the certificate's private key.") var sslCertificateKey: String?
    @Flag(
        help:
            "Also send Strict-Transport-Security (for sites served over HTTPS only). Headers set in the include replace the server's own under the prefix, so a server that sends HSTS should say --hsts."
    ) var hsts = false
    @Option(help: "Write to this file instead of standard output.") var out: String?
    @Option(help: "The unpacked credit-scoring folder (default: the one holding this program).") var bundle: String?

    func validate() throws {
        try DeploymentFiles.checkPrefix(prefix)
        guard server || prefix != "/" else {
            throw ValidationError(
                "an include under / would clash with the server's own `location /`: give --prefix /credit/ (or similar), or --server for a dedicated (sub)domain"
            )
        }
        func plain(_ text: String) -> Bool { !text.contains(where: { ";{}'\"$\\#".contains($0) || $0.isWhitespace }) }
        guard !socket.isEmpty, socket.allSatisfy({ ($0.hasPrefix("/") || Self.isHostAndPort($0)) && plain($0) }) else {
            throw ValidationError("--socket must be an absolute path, or host:port, without spaces, quotes, braces, $, \\, # or semicolons")
        }
        guard !listen.contains(where: { ";{}$\\#".contains($0) || $0.isNewline }), plain(serverName.replacingOccurrences(of: " ", with: "")) else {
            throw ValidationError("--listen and --server-name may not hold ; { } $ \\ # or line breaks")
        }
        guard (sslCertificate == nil) == (sslCertificateKey == nil), sslCertificate.map(plain) ?? true, sslCertificateKey.map(plain) ?? true else {
            throw ValidationError("--ssl-certificate and --ssl-certificate-key go together, as paths without spaces, quotes or ; { } $ \\ #")
        }
        guard server || sslCertificate == nil else { throw ValidationError("--ssl-certificate goes with --server") }
    }

    func run() throws {
        let installed = try InstalledBundle.locate(override: bundle)
        let rendered = render(installed)
        guard let out else {
            guard server else { throw CommandError("an include comes in two parts (server and http level): give --out FILE") }
            print(rendered.server, terminator: "")
            return
        }
        try DeploymentFiles.write(rendered.server, to: out, mode: 0o644)
        guard let http = rendered.http else { return }
        let httpOut = Self.httpPath(for: out)
        try DeploymentFiles.write(http, to: httpOut, mode: 0o644)
        print(
            """
            wrote \(out): include it inside your server { } block
            wrote \(httpOut): include it at http level, e.g. copy it to /etc/nginx/conf.d/ (it holds the sign-in rate limit zone)
            """)
    }

    /// `10.0.0.5:9000` or `[::1]:9000`: a responder reached over TCP.
    static func isHostAndPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            return false
        }
        return colon > text.startIndex
    }

    /// Where the http-level part goes: beside the include, `NAME-http.conf`.
    static func httpPath(for out: String) -> String {
        (out.hasSuffix(".conf") ? String(out.dropLast(5)) : out) + "-http.conf"
    }

    /// The configuration: for an include, the part for the server block and the part for `http`;
    /// for `--server`, one text for `http` (the zone before the server block).
    func render(_ installed: InstalledBundle) -> (server: String, http: String?) {
        let parts = NginxLocations(prefix: prefix, site: installed.site, models: installed.models, socket: socket, hsts: hsts)
        let locations = parts.text
        guard server else {
            return (
                """
                # Written by `credit setup nginx`: the credit-scoring site at \(prefix) and its API at \(prefix)api/.
                # Include it inside an existing server { } block:  include /etc/nginx/snippets/credit-scoring.conf;
                # It adds locations under \(prefix) only and leaves the server's other locations and error pages alone.
                # The responder must run with --socket \(socket.joined(separator: " or ")) --socket-group <nginx's group> --socket-mode 0660.
                # Its http-level part (the sign-in rate limit) must be included at http level.

                \(locations)
                """,
                """
                # Written by `credit setup nginx`: include at http level (Debian: /etc/nginx/conf.d/), with the
                # include for the server block beside it.
                \(parts.httpText)
                """
            )
        }
        let tls =
            sslCertificate.map {
                "\n    ssl_certificate \($0);\n    ssl_certificate_key \(sslCertificateKey ?? "");\n    ssl_protocols TLSv1.2 TLSv1.3;"
            } ?? ""
        return (
            """
            # Written by `credit setup nginx --server`: a server block for the credit-scoring site at \(prefix).
            # Include it at http level.
            \(parts.httpText)server {
                listen \(listen)\(sslCertificate == nil ? "" : " ssl");
                server_name \(serverName);\(tls)

                # Slow or stalled clients must not hold workers.
                client_header_timeout 10s;
                client_body_timeout 10s;
                send_timeout 10s;
                keepalive_timeout 15s;
                client_max_body_size 128k;
                server_tokens off;

            \(locations.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n"))
            }

            """, nil
        )
    }
}

/// The nginx locations for the site and the API under one prefix.
struct NginxLocations {
    let prefix: String
    let site: String
    let models: String
    /// The responders: unix socket paths or host:port addresses.
    let socket: [String]
    var hsts = false

    /// The upstream's name when there are several responders.
    var upstreamName: String { errorName + "_responders" }

    /// What `fastcgi_pass` names: the one responder, or the upstream of several.
    var pass: String {
        guard socket.count > 1 else { return Self.address(socket[0]) }
        return upstreamName
    }

    static func address(_ responder: String) -> String { responder.hasPrefix("/") ? "unix:" + responder : responder }

    /// Several responders: an upstream. A request that cannot reach one (refused, timed out
    /// before it was sent) goes to the next; nginx does not resend a POST that one has received.
    var upstreamText: String {
        guard socket.count > 1 else { return "" }
        return """
            upstream \(upstreamName) {
            \(socket.map { "    server \(Self.address($0)) max_fails=1 fail_timeout=1s;" }.joined(separator: "\n"))
            }

            """
    }

    /// `add_header … always` for every security header, at the given indentation.
    func headers(_ indent: String) -> String {
        let all = SecurityHeaders.all + (hsts ? [("Strict-Transport-Security", "max-age=31536000")] : [])
        return all.map { "\(indent)add_header \($0.name) \"\($0.value)\" always;" }.joined(separator: "\n")
    }

    /// nginx's own errors on the API (body too large, responder down or slow) as JSON problems
    /// carrying their true status; named after the prefix so that two installations can coexist.
    var errorPages: [(status: Int, title: String, detail: String)] {
        [
            (413, "Request body too large", "The body must be at most 65536 bytes (64 MiB for a file of applications)."),
            (502, "Bad gateway", "The scoring service is not answering; retry in a few seconds."),
            (503, "Service unavailable", "The scoring service is overloaded; retry in a few seconds."),
            (504, "Gateway timeout", "The scoring service did not answer in time; retry in a few seconds."),
        ]
    }

    var errorName: String {
        "credit" + prefix.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// The http-level part: the zone that limits sign-ins per client address (nginx allows
    /// `limit_req_zone` only in `http { }`).
    var httpText: String {
        """
        # Sign-ins (each a slow password hash) per client address: two a second, twenty at once
        # (an office behind one address signing in at nine).
        limit_req_zone $binary_remote_addr zone=\(errorName)_signin:1m rate=2r/s;

        """ + upstreamText
    }

    /// What every API location passes to the responder.
    func fastCGI(_ indent: String, readTimeout: Int = 10, maxBody: String = "128k") -> String {
        let lines =
            [
                "client_max_body_size \(maxBody);", "client_body_buffer_size 128k;",
                "fastcgi_param QUERY_STRING $query_string;", "fastcgi_param REQUEST_METHOD $request_method;",
                "fastcgi_param CONTENT_TYPE $content_type;", "fastcgi_param CONTENT_LENGTH $content_length;",
                "fastcgi_param SCRIPT_NAME $fastcgi_script_name;", "fastcgi_param REQUEST_URI $request_uri;",
                "fastcgi_param DOCUMENT_URI $document_uri;", "fastcgi_param SERVER_PROTOCOL $server_protocol;",
                "fastcgi_param REQUEST_SCHEME $scheme;", "fastcgi_param HTTPS $https if_not_empty;",
                "fastcgi_param REMOTE_ADDR $remote_addr;", "fastcgi_param REMOTE_PORT $remote_port;",
                "fastcgi_param SERVER_ADDR $server_addr;", "fastcgi_param SERVER_PORT $server_port;",
                "fastcgi_param SERVER_NAME $server_name;", "fastcgi_param REQUEST_ID $request_id;", "fastcgi_pass \(pass);",
                "fastcgi_connect_timeout 2s;", "fastcgi_send_timeout \(readTimeout)s;", "fastcgi_read_timeout \(readTimeout)s;",
                "fastcgi_intercept_errors off;",
                "gzip on;", "gzip_min_length 512;", "gzip_types application/json application/problem+json;",
            ] + [413, 429, 502, 503, 504].map { "error_page \($0) @\(errorName)_\($0);" }
        return lines.map { indent + $0 }.joined(separator: "\n") + "\n" + headers(indent)
    }

    var text: String {
        let base = String(prefix.dropLast())  // "" or "/credit"
        let redirect = prefix == "/" ? "" : "location = \(base) { return 301 \(prefix); }\n\n"
        let modelsPattern = "^" + prefix.replacingOccurrences(of: ".", with: "\\.") + "models/([A-Za-z0-9_-]+\\.(svg|md))$"
        let pages = (errorPages + [(429, "Too many sign-ins", "Too many sign-ins from this address; wait a second and try again.")]).map { page in
            let type = page.status == 413 ? "payload-too-large" : page.status == 429 ? "too-many-attempts" : "unavailable"
            let body = "{\"type\":\"/problems/\(type)\",\"title\":\"\(page.title)\",\"status\":\(page.status),\"detail\":\"\(page.detail)\"}"
            return """
                location @\(errorName)_\(page.status) {
                    default_type application/problem+json;
                \(headers("    "))
                    add_header Cache-Control "no-store" always;
                    \(page.status == 429 ? "add_header Retry-After \"1\" always;\n    " : "")return \(page.status) '\(body)';
                }
                """
        }.joined(separator: "\n")
        return """
            \(redirect)# The static site: HTML, CSS, JavaScript modules, the OpenAPI description; the model card's plots.
            location ^~ \(prefix) {
                alias \(site)/;
                index index.html;
                charset utf-8;
                # No build step versions the file names: browsers revalidate (a 304 when unchanged).
                gzip on;
                gzip_vary on;
                gzip_min_length 256;
                gzip_types text/css text/javascript application/javascript application/json image/svg+xml text/markdown;
                add_header Cache-Control "no-cache" always;
            \(headers("    "))
                location ~ \(modelsPattern) {
                    alias \(models)/$1;
                    types { image/svg+xml svg; text/markdown md; }
                    add_header Cache-Control "no-cache" always;
            \(headers("        "))
                }
            }

            # The API: every request goes to the FastCGI responder.
            location ^~ \(prefix)api/ {
            \(fastCGI("    "))
            }

            # Sign-ins, limited per client address (the zone is in the http-level part); the responder
            # adds a global budget that no rotation of addresses gets around.
            location = \(prefix)api/token {
                limit_req zone=\(errorName)_signin burst=20 nodelay;
                limit_req_status 429;
            \(fastCGI("    "))
            }

            # Files of applications for batch scoring: up to 64 MiB, validated row by row before any is queued.
            location = \(prefix)api/batches {
                client_body_timeout 60s;
            \(fastCGI("    ", readTimeout: 300, maxBody: "64m"))
            }

            # nginx's own errors on the API, as JSON problems with their true status.
            \(pages)

            """
    }
}
