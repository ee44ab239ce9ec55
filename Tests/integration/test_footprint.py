"""The responder stays small: it links no Foundation, and its resident memory under a burst of
submissions stays within the 21 MB the service promises (20.0–20.1 MB measured with both
languages and the history search; 19.6 MB before them)."""
import os
import subprocess
import threading

from stack import BIN, applicant


def test_responder_links_no_foundation():
    libraries = subprocess.run(["ldd", os.path.join(BIN, "credit-fcgi")], capture_output=True, text=True, check=True).stdout
    assert "libswiftCore" in libraries
    for heavy in ("libFoundation.so", "libFoundationEssentials", "libFoundationInternationalization", "lib_FoundationICU"):
        assert heavy not in libraries, f"credit-fcgi links {heavy}; keep Foundation out of FastCGI, CreditAPI, CreditAuth, CreditStore, CreditSchema and CreditJSON"


def test_worker_links_no_signing_or_password_code():
    """The module map keeps the worker to scoring: no JWT, no scrypt, no HTTP layer in its binary."""
    symbols = subprocess.run(["nm", os.path.join(BIN, "credit-worker")], capture_output=True, text=True, check=True).stdout
    # A Swift symbol starts with its module's name, length-prefixed: $s12CreditWorker...
    def defines(module):
        return f"$s{len(module)}{module}" in symbols
    assert defines("CreditWorker") and defines("CreditStore"), "nm found no worker symbols; the check would prove nothing"
    for module in ("CreditAuth", "CreditAPI", "FastCGI", "CreditHTTP"):
        assert not defines(module), f"credit-worker links {module}; the worker must not depend on it (see the README's module map)"
    assert "EVP_PBE_scrypt" not in symbols and "JWT" not in symbols


def _resident_megabytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_responder_memory_under_a_burst_of_submissions(stack):
    token = stack.token("carol")
    failures = []

    def client():
        for _ in range(60):
            status, _, body = stack.json("POST", "/api/predictions", applicant(), token=token)
            if status != 202:
                failures.append((status, body))

    threads = [threading.Thread(target=client) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    resident = _resident_megabytes(stack.responder.pid)
    print(f"\nresponder resident after 720 submissions: {resident:.1f} MB")
    assert resident <= 21, f"the responder holds {resident:.1f} MB after 720 submissions"


def test_the_responder_restarts_itself_with_a_larger_allocator_cache(stack):
    """glibc reads GLIBC_TUNABLES only at start: the resident responder execs itself once with
    the setting (same process id, so the process the stack started is the one serving)."""
    with open(f"/proc/{stack.responder.pid}/environ", "rb") as environ:
        variables = environ.read().split(b"\0")
    assert b"GLIBC_TUNABLES=glibc.malloc.tcache_count=64" in variables, [v for v in variables if v.startswith(b"GLIBC")]
    with open(f"/proc/{stack.responder.pid}/cmdline", "rb") as cmdline:
        assert b"--socket" in cmdline.read().split(b"\0"), "the same arguments after the exec"
    with open(f"/proc/{stack.responder.pid}/comm") as comm:
        assert comm.read().strip() == "credit-fcgi", "the process keeps its name (ps, pgrep)"
