import CreditAPI

/// The response headers every deployment sends with the site and the API, errors included.
/// The CSP allows no inline script and no other origin: the site loads everything from itself. The
/// one inline style allowed is the customer's decision letter's, by its hash: the site prints the
/// letter from a frame that inherits the page's policy.
enum SecurityHeaders {
    static let all: [(name: String, value: String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self' \(DecisionLetterHTML.styleSource); img-src 'self' data:; connect-src 'self'; "
                + "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
}
