"""A private Apache 2.4 instance for integration tests, configured like a shared host.

The server reads only the config this module writes: it never touches /etc/apache2's own
config files, the system apache2 service, or ports below 1024. Each vhost's directory allows
nothing but `.htaccess` overrides (`AllowOverride All`, `Options SymLinksIfOwnerMatch`,
`Require all granted`); there is no ScriptAlias and no server-level CGI or FastCGI handler,
so everything an application needs must come from its own `.htaccess`, as on a shared host.
mod_cgid (handler `cgi-script`) and mod_fcgid (handler `fcgid-script`) are both loaded.

    apache = PrivateApache("/tmp/run", [(8081, "/tmp/site")], user="www-data").start()
    try:
        ...  # http://127.0.0.1:8081/
    finally:
        apache.stop()

When the caller is root, `user` is required: Apache's children, the cgid daemon and every
CGI or FastCGI program then run as that account and its primary group, so the docroots
(and every folder above them) must be readable and searchable by it. `start()` checks this
and raises with the offending path. See APACHE_NOTES.md for the .htaccess that works.
"""
import grp
import os
import pwd
import signal
import socket
import stat
import subprocess
import time

APACHE = "apache2"
MODULES_DIR = "/usr/lib/apache2/modules"
# mod_unixd and mod_log_config are compiled into Debian's apache2, so they need no LoadModule.
MODULES = ["mpm_event", "authz_core", "authz_host", "mime", "dir", "alias", "rewrite", "env",
           "setenvif", "headers", "cgid", "fcgid"]


class PrivateApache:
    """One Apache master (run in the foreground under Popen) serving `vhosts` on 127.0.0.1.

    directory: a folder for httpd.conf, logs and runtime files (created if missing).
    vhosts: a list of (port, docroot) pairs; each becomes a <VirtualHost 127.0.0.1:port>.
    user: the account the children run as (required when running as root).
    extra_config: text appended to httpd.conf (server level), e.g. "LogLevel rewrite:trace3".
    """

    def __init__(self, directory, vhosts, user=None, extra_config=""):
        self.directory = os.path.abspath(directory)
        self.vhosts = [(int(port), os.path.abspath(root)) for port, root in vhosts]
        if not self.vhosts:
            raise ValueError("at least one (port, docroot) vhost is needed")
        for port, _ in self.vhosts:
            if not 1024 <= port <= 65535:
                raise ValueError(f"port {port} is not an unprivileged port")
        if user is None and os.geteuid() == 0:
            raise ValueError("running as root: pass user= (the account that owns the served files)")
        self.user = user
        self.extra_config = extra_config
        self.conf = os.path.join(self.directory, "httpd.conf")
        self.run_dir = os.path.join(self.directory, "run")
        self.error_log = os.path.join(self.directory, "error.log")
        self.access_log = os.path.join(self.directory, "access.log")
        self.stderr_log = os.path.join(self.directory, "stderr.log")
        self.pid_file = os.path.join(self.run_dir, "httpd.pid")
        self.process = None

    @property
    def urls(self):
        """The base URL of each vhost, in the order given."""
        return [f"http://127.0.0.1:{port}" for port, _ in self.vhosts]

    # -- config --------------------------------------------------------------
    def config_text(self):
        """The httpd.conf that start() writes."""
        run = self.run_dir
        lines = [
            "# Written by Tests/integration/apache.py: a private, shared-host-like Apache.",
            "ServerRoot /etc/apache2",
            *[f"LoadModule {name}_module {MODULES_DIR}/mod_{name}.so" for name in MODULES],
            "ServerName 127.0.0.1",
            f"PidFile {run}/httpd.pid",
            f"DefaultRuntimeDir {run}",
            f"Mutex file:{run} default",
            f"ScriptSock {run}/cgid.sock",
            f"FcgidIPCDir {run}/fcgid",
            f"FcgidProcessTableFile {run}/fcgid_shm",
            f"ErrorLog {self.error_log}",
            "LogLevel warn",
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" timed',
            f"CustomLog {self.access_log} timed",
            "TypesConfig /etc/mime.types",
            "AddDefaultCharset Off",
            "HostnameLookups Off",
            "Timeout 30",
            "KeepAlive On",
            "ServerTokens Prod",
            "ServerSignature Off",
            "TraceEnable Off",
            "AccessFileName .htaccess",
            "DirectoryIndex index.html",
            # Small and quick, for 2 shared cores.
            "StartServers 1",
            "ServerLimit 2",
            "ThreadsPerChild 16",
            "MaxRequestWorkers 32",
            "MinSpareThreads 4",
            "MaxSpareThreads 16",
            "MaxConnectionsPerChild 0",
            "GracefulShutdownTimeout 3",
            # mod_fcgid: few processes, quick failure, prompt reaping, no spawn throttling.
            "FcgidMaxProcesses 8",  # a new program class waits ~60 s, then 503, when all are taken
            "FcgidMaxProcessesPerClass 2",
            "FcgidMinProcessesPerClass 0",
            "FcgidConnectTimeout 5",
            "FcgidIOTimeout 20",
            "FcgidBusyTimeout 30",
            "FcgidIdleTimeout 60",
            "FcgidIdleScanInterval 5",
            "FcgidErrorScanInterval 1",
            "FcgidZombieScanInterval 1",
            "FcgidProcessLifeTime 600",
            "FcgidMaxRequestLen 1048576",
            "FcgidSpawnScoreUpLimit 100",
            "FcgidTerminationScore 0",
        ]
        if self.user is not None:
            lines += [f"User {self.user}", f"Group {self._group()}"]
        lines += [
            "<Directory />",
            "    AllowOverride None",
            "    Options None",
            "    Require all denied",
            "</Directory>",
            f"DocumentRoot {run}/empty",
        ]
        for port, _ in self.vhosts:
            lines.append(f"Listen 127.0.0.1:{port}")
        for port, root in self.vhosts:
            lines += [
                f"<VirtualHost 127.0.0.1:{port}>",
                f"    DocumentRoot {root}",
                f"    <Directory {root}>",
                "        AllowOverride All",
                "        Options SymLinksIfOwnerMatch",
                "        Require all granted",
                "    </Directory>",
                "</VirtualHost>",
            ]
        if self.extra_config:
            lines.append(self.extra_config)
        return "\n".join(lines) + "\n"

    def _ids(self):
        if self.user is None:
            return os.geteuid(), os.getegid()
        entry = pwd.getpwnam(self.user)
        return entry.pw_uid, entry.pw_gid

    def _group(self):
        return grp.getgrgid(self._ids()[1]).gr_name

    def _check_reachable(self, path):
        """Raise if `user` cannot search every folder down to `path` and list `path` itself."""
        if self.user is None:
            return
        entry = pwd.getpwnam(self.user)
        gids = {entry.pw_gid} | {g.gr_gid for g in grp.getgrall() if self.user in g.gr_mem}

        def allowed(st, bits):  # bits: a combination of 4 (r), 2 (w), 1 (x)
            if st.st_uid == entry.pw_uid:
                return (st.st_mode >> 6) & bits == bits
            if st.st_gid in gids:
                return (st.st_mode >> 3) & bits == bits
            return st.st_mode & bits == bits

        parts = path.split(os.sep)
        for i in range(1, len(parts) + 1):
            here = os.sep.join(parts[:i]) or os.sep
            st = os.stat(here)
            need = 5 if here == path else 1
            if stat.S_ISDIR(st.st_mode) and not allowed(st, need):
                raise PermissionError(f"{self.user} cannot {'read' if need == 5 else 'search'} {here}")

    # -- lifecycle -----------------------------------------------------------
    def start(self, timeout=15):
        """Write httpd.conf, start Apache and wait until every port accepts connections."""
        if self.process is not None:
            raise RuntimeError("already started")
        for port, _ in self.vhosts:
            if _port_open(port):
                raise RuntimeError(f"port {port} is already in use")
        os.makedirs(self.directory, exist_ok=True)
        os.chmod(self.directory, 0o755)
        os.makedirs(os.path.join(self.run_dir, "empty"), exist_ok=True)
        uid, gid = self._ids()
        os.chown(self.run_dir, uid, gid)  # the cgid daemon and the fcgid manager write here
        os.chmod(self.run_dir, 0o755)
        for path in [self.directory] + [root for _, root in self.vhosts]:
            self._check_reachable(path)
        with open(self.conf, "w") as out:
            out.write(self.config_text())
        check = subprocess.run([APACHE, "-t", "-f", self.conf], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("httpd.conf rejected: " + check.stderr.strip())
        with open(self.stderr_log, "ab") as err:
            self.process = subprocess.Popen([APACHE, "-f", self.conf, "-DFOREGROUND"],
                                            stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                            start_new_session=True, env=_clean_env())
        deadline = time.monotonic() + timeout
        waiting = [port for port, _ in self.vhosts]
        while waiting:
            if self.process.poll() is not None:
                self.process = None
                raise RuntimeError("apache exited during start:\n" + self.log())
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("apache did not open its ports:\n" + self.log())
            waiting = [port for port in waiting if not _port_open(port)]
            if waiting:
                time.sleep(0.05)
        return self

    def stop(self, timeout=10):
        """Stop Apache (SIGTERM to the master, which ends its children, the cgid daemon and the
        FastCGI processes) and wait until the master is gone and the ports are closed."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the session this module started
                process.wait(5)
        try:  # children that outlive the master (a stuck CGI program) share its session
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while any(_port_open(port) for port, _ in self.vhosts) and time.monotonic() < deadline:
            time.sleep(0.05)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log(self, lines=40):
        """The last `lines` lines of the error log, preceded by any startup output on stderr."""
        text = ""
        for path in (self.stderr_log, self.error_log):
            try:
                with open(path, errors="replace") as f:
                    tail = f.read().splitlines()[-lines:]
            except FileNotFoundError:
                continue
            if tail:
                text += f"--- {os.path.basename(path)}\n" + "\n".join(tail) + "\n"
        return text


def _port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _clean_env():
    """A minimal environment: CGI programs inherit nothing from the test runner."""
    return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}


if __name__ == "__main__":
    import shutil
    import sys
    import tempfile
    import urllib.request

    base = tempfile.mkdtemp(prefix="apache-demo-")
    try:
        os.chmod(base, 0o755)
        site = os.path.join(base, "site")
        os.mkdir(site)
        with open(os.path.join(site, "index.html"), "w") as f:
            f.write("hello from a private apache\n")
        port = int(sys.argv[1]) if len(sys.argv) > 1 else 18080
        with PrivateApache(os.path.join(base, "apache"), [(port, site)],
                           user="www-data" if os.geteuid() == 0 else None) as demo:
            print(urllib.request.urlopen(demo.urls[0] + "/").read().decode(), end="")
    finally:
        shutil.rmtree(base)
