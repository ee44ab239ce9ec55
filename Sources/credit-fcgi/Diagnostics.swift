#if canImport(Glibc)
import Glibc
#endif

/// Prints a warning on standard error.
func warn(_ message: String) {
    let line = "credit-fcgi: warning: " + message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

/// Prints a message on standard error and exits with EX_CONFIG.
func fail(_ message: String) -> Never {
    let line = "credit-fcgi: " + message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(78)
}
