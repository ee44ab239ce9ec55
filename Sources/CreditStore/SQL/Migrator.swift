import CreditSystem

/// Named schema migrations, shared by both databases: each name stands for one change of the
/// schema, written in each database's DDL (``SQLiteMigrations``, ``PostgresMigrations``). The
/// names applied are kept in `schema_migrations`; a database migrated before names existed (by
/// SQLite's `user_version` or PostgreSQL's `credit_schema` numbers) has its numbers mapped to
/// names on first open. All pending migrations run in one transaction under
/// ``SQLLock/migrations``, so processes that start at once migrate one at a time.
enum Migrator {
    /// Every migration in order. Add new ones at the end, with their DDL for both databases.
    static let names = [
        "users-and-jobs", "applications-and-results-apart", "worker-modes", "request-hashes", "sign-in-budget", "rescore-links",
        "compact-records", "batches", "history-indexes", "roles-reviews-and-audit", "model-register", "outcomes", "readiness-probe",
        "api-keys", "applicant-columns", "batch-dialects", "user-languages", "history-search",
        "review-rounds",
    ]

    /// Work a migration does in Swift after its DDL, in the same transaction: what SQL cannot
    /// compute, such as ``SearchText``'s folding of the jobs stored before.
    static func fill(_ name: String, _ sql: any SQLConnection) throws(StoreError) {
        switch name {
        case "history-search": try SearchIndex.fill(sql)
        default: break
        }
    }

    /// How many of ``names`` PostgreSQL's first step holds.
    static let postgresFirstStep = 6

    /// The schema version this program writes: how many migrations it knows.
    static var latest: Int { names.count }

    /// The DDL of migration `index` for `dialect` (empty: PostgreSQL's first step made it already).
    static func script(_ index: Int, _ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: SQLiteMigrations.steps[index]
        case .postgres:
            index == 0 ? PostgresMigrations.steps[0] : index < postgresFirstStep ? "" : PostgresMigrations.steps[index - postgresFirstStep + 1]
        }
    }

    /// The migrations a database numbered before names existed has applied.
    static func legacyNames(version: Int, _ dialect: SQLDialect) -> ArraySlice<String> {
        let count =
            switch dialect {
            case .sqlite: version
            case .postgres: version == 0 ? 0 : version + postgresFirstStep - 1
            }
        return names.prefix(count)
    }

    /// Brings the database to the latest schema; returns the names applied.
    @discardableResult
    static func migrate(_ sql: any SQLConnection) throws(StoreError) -> [String] {
        // Current already: nothing to write, so a process still starts on a read-only database
        // (a PostgreSQL replica after a failover), where readiness then reports it cannot write.
        if let applied = try appliedNames(sql) {
            if try check(applied) == names.count { return [] }
        } else if legacyNames(version: try legacyVersion(sql), sql.dialect).count == names.count {
            return []  // current by its old number: the names are recorded by the next migration
        }
        return try sql.transaction { () throws(StoreError) -> [String] in
            try sql.lock(.migrations)
            try sql.executeScript("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
            var applied = try appliedNames(sql) ?? []
            if applied.isEmpty {
                applied = Set(legacyNames(version: try legacyVersion(sql), sql.dialect))
                try record(applied.sorted(), sql)
            }
            guard try check(applied) < names.count else { return [] }
            let pending = names.indices.filter { !applied.contains(names[$0]) }
            for index in pending {
                let script = Self.script(index, sql.dialect)
                if !script.isEmpty { try sql.executeScript(script) }
                try fill(names[index], sql)
            }
            try record(pending.map { names[$0] }, sql)
            try writeLegacyVersion(sql)
            return pending.map { names[$0] }
        }
    }

    /// The number of migrations applied; a name this program does not know means a newer program
    /// migrated the database.
    private static func check(_ applied: Set<String>) throws(StoreError) -> Int {
        let unknown = applied.subtracting(names)
        guard unknown.isEmpty else { throw .newerSchema(found: applied.count, supported: names.count) }
        return applied.count
    }

    /// The schema version of the database: how many migrations it has.
    static func version(_ sql: any SQLConnection) throws(StoreError) -> Int {
        if let applied = try appliedNames(sql) { return applied.count }
        return legacyNames(version: try legacyVersion(sql), sql.dialect).count
    }

    /// The names in `schema_migrations`, or nil when the table does not exist yet.
    private static func appliedNames(_ sql: any SQLConnection) throws(StoreError) -> Set<String>? {
        let exists =
            switch sql.dialect {
            case .sqlite: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            case .postgres: "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname = current_schema()"
            }
        guard try sql.query(exists, { row throws(StoreError) in try row.int(0) }).first == 1 else { return nil }
        return Set(try sql.query("SELECT name FROM schema_migrations", { row throws(StoreError) in try row.string(0) }))
    }

    private static func record(_ applied: [String], _ sql: any SQLConnection) throws(StoreError) {
        let now = SystemClock.wall()
        try sql.insert(into: "schema_migrations", columns: ["name", "applied_at"], rows: applied.map { [.text($0), .real(now)] })
    }

    /// The version number older programs wrote (and still read, to refuse a newer database).
    private static func legacyVersion(_ sql: any SQLConnection) throws(StoreError) -> Int {
        switch sql.dialect {
        case .sqlite:
            return try sql.query("PRAGMA user_version", { row throws(StoreError) in try row.int(0) }).first ?? 0
        case .postgres:
            let table =
                try sql.query(
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'credit_schema' AND schemaname = current_schema()",
                    { row throws(StoreError) in try row.int(0) }
                ).first ?? 0
            guard table == 1 else { return 0 }
            return try sql.query("SELECT coalesce(max(version), 0) FROM credit_schema", { row throws(StoreError) in try row.int(0) }).first ?? 0
        }
    }

    /// Keeps the old number current, so that an older program still refuses a database it cannot read.
    private static func writeLegacyVersion(_ sql: any SQLConnection) throws(StoreError) {
        switch sql.dialect {
        case .sqlite:
            try sql.executeScript("PRAGMA user_version = \(names.count)")
        case .postgres:
            try sql.executeScript(
                """
                CREATE TABLE IF NOT EXISTS credit_schema (version integer NOT NULL);
                DELETE FROM credit_schema; INSERT INTO credit_schema (version) VALUES (\(names.count - postgresFirstStep + 1))
                """)
        }
    }
}
