import CreditConfig
import CreditTestSupport
import Foundation
import Testing

@testable import CreditStore

/// A backend the store contract runs on, with a fresh, empty database for each test.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A PostgreSQL server for the contract suite (`make test` starts a throwaway cluster and sets it).
    static let postgresURL: String? = {
        let url = ProcessInfo.processInfo.environment["CREDIT_TEST_DATABASE_URL"] ?? ""
        return url.isEmpty ? nil : url
    }()

    /// `CREDIT_REQUIRE_POSTGRES=1` (set by `make test` and CI): a run without a PostgreSQL server
    /// fails (``StoreContractTests/postgresIsPartOfTheRun()``) instead of covering SQLite only.
    static let postgresRequired: Bool = ProcessInfo.processInfo.environment["CREDIT_REQUIRE_POSTGRES"] == "1"

    /// SQLite always; PostgreSQL when a server is configured.
    static var available: [StoreBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A new empty database: a file in a new directory, or a new schema on the server.
    func makeDatabase() throws -> TestDatabase {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "store")
            return TestDatabase(location: .sqlite(path: directory.file("credit.sqlite"))) { directory.remove() }
        case .postgres:
            guard let url = Self.postgresURL else { throw StoreError.invalid("CREDIT_TEST_DATABASE_URL is not set") }
            let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let admin = try PostgresConnection(url: url)
            try admin.executeScript("CREATE SCHEMA \(schema)")
            let separator = url.contains("?") ? "&" : "?"
            return TestDatabase(location: .postgres(url: "\(url)\(separator)options=-csearch_path%3D\(schema)")) {
                try? admin.executeScript("DROP SCHEMA \(schema) CASCADE")
            }
        }
    }
}

/// A database made for one test; removed when the test releases it.
final class TestDatabase: @unchecked Sendable {
    let location: StoreLocation
    private let remove: () -> Void

    init(location: StoreLocation, remove: @escaping () -> Void) {
        self.location = location
        self.remove = remove
    }

    deinit { remove() }

    /// A new connection (each thread of a concurrency test opens its own).
    func open() throws -> any StoreConnection { try location.open() }
}
