/// The embedded store: jobs and users in one SQLite file, in WAL mode. Every behaviour is
/// ``SQLStore``'s; this adds the file.
///
/// One instance is one connection and must be used by one thread at a time; ``StorePool``
/// hands out one per thread.
public final class SQLiteStore: SQLStore {
    public let database: SQLiteDatabase

    /// Opens the database at `path` and applies pending migrations. `autoCheckpointPages` and
    /// `cacheKiB`: see ``SQLiteDatabase/init(path:autoCheckpointPages:cacheKiB:busyTimeout:)``.
    public init(path: String, autoCheckpointPages: Int = 1000, cacheKiB: Int = 512) throws(StoreError) {
        database = try SQLiteDatabase(path: path, autoCheckpointPages: autoCheckpointPages, cacheKiB: cacheKiB)
        try super.init(sql: database)
    }

    public override var location: String { database.path }
}
