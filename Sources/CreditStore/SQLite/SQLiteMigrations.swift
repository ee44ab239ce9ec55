/// The SQLite schema, step by step: the DDL of each of ``Migrator/migrations`` in order. Add new
/// steps at the end (with their name in ``Migrator``), never edit old ones.
enum SQLiteMigrations {
    static let steps: [String] = [
        // 1: users, jobs, login throttling, worker heartbeats.
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL
        );
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            owner INTEGER NOT NULL REFERENCES users(id),
            status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
            payload TEXT NOT NULL,
            result TEXT,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            idempotency_key TEXT,
            submitted_at REAL NOT NULL,
            started_at REAL,
            completed_at REAL,
            lease_until REAL,
            worker TEXT,
            UNIQUE (owner, idempotency_key)
        );
        CREATE INDEX jobs_queued ON jobs(seq) WHERE status = 'queued';
        CREATE INDEX jobs_leased ON jobs(lease_until) WHERE status = 'running';
        CREATE INDEX jobs_by_owner ON jobs(owner, seq);
        CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX login_failures_by_key ON login_failures(key, at);
        CREATE TABLE heartbeats (worker TEXT PRIMARY KEY, at REAL NOT NULL, model TEXT);
        """,
        // 2: the application and the result in tables of their own, written once each, so that a
        // status change rewrites a small row instead of kilobytes of JSON (half the pages written
        // per job); idempotency keys indexed only where given.
        """
        CREATE TABLE job_payloads (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL);
        INSERT INTO job_payloads (seq, payload) SELECT seq, payload FROM jobs;
        CREATE TABLE job_results (seq INTEGER PRIMARY KEY, result TEXT, error TEXT);
        INSERT INTO job_results (seq, result, error) SELECT seq, result, error FROM jobs WHERE result IS NOT NULL OR error IS NOT NULL;
        CREATE TABLE jobs_v2 (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            owner INTEGER NOT NULL REFERENCES users(id),
            status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            idempotency_key TEXT,
            submitted_at REAL NOT NULL,
            started_at REAL,
            completed_at REAL,
            lease_until REAL,
            worker TEXT
        );
        INSERT INTO jobs_v2 SELECT seq, id, owner, status, attempts, idempotency_key, submitted_at, started_at, completed_at, lease_until, worker FROM jobs;
        DROP TABLE jobs;
        ALTER TABLE jobs_v2 RENAME TO jobs;
        CREATE INDEX jobs_queued ON jobs(seq) WHERE status = 'queued';
        CREATE INDEX jobs_leased ON jobs(lease_until) WHERE status = 'running';
        CREATE INDEX jobs_by_owner ON jobs(owner, seq);
        CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs(owner, idempotency_key) WHERE idempotency_key IS NOT NULL;
        """,
        // 3: how each worker runs (resident, or drained from cron), so that health can judge its heartbeat.
        """
        ALTER TABLE heartbeats ADD COLUMN mode TEXT NOT NULL DEFAULT 'resident';
        """,
        // 4: a digest of the request body beside each idempotency key, so a key reused for
        // another application is refused instead of answered with the old job.
        """
        ALTER TABLE jobs ADD COLUMN request_hash TEXT;
        """,
        // 5: recent sign-in attempts, for a budget shared by every process (CGI starts one per
        // request, so a budget in memory would not hold there).
        """
        CREATE TABLE signin_attempts (at REAL NOT NULL, known INTEGER NOT NULL);
        CREATE INDEX signin_attempts_by_time ON signin_attempts(at);
        """,
        // 6: an application edited and scored again names the one it re-scores.
        """
        ALTER TABLE jobs ADD COLUMN rescore_of TEXT;
        """,
        // 7: the validated application in compact form, which the worker reads instead of parsing
        // and validating the JSON again.
        """
        ALTER TABLE job_payloads ADD COLUMN record TEXT;
        """,
        // 8: batches of applications uploaded as a file; their jobs name the batch and their line,
        // and stay out of the officer's history (its index covers single applications only).
        """
        CREATE TABLE batches (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            owner INTEGER NOT NULL REFERENCES users(id),
            name TEXT NOT NULL,
            rows INTEGER NOT NULL,
            loaded INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL
        );
        CREATE INDEX batches_by_owner ON batches(owner, seq);
        ALTER TABLE jobs ADD COLUMN batch_seq INTEGER REFERENCES batches(seq);
        ALTER TABLE jobs ADD COLUMN batch_line INTEGER;
        ALTER TABLE jobs ADD COLUMN client_id TEXT;
        CREATE INDEX jobs_by_batch ON jobs(batch_seq, batch_line) WHERE batch_seq IS NOT NULL;
        CREATE INDEX jobs_single_by_owner ON jobs(owner, seq) WHERE batch_seq IS NULL;
        """,
        // 9: the history reads jobs_single_by_owner and batches read jobs_by_batch, so the index of
        // every job by owner is one more B-tree written per submission for nothing.
        """
        DROP INDEX jobs_by_owner;
        """,
        // 10: roles (existing users become officers), token generations, one-time passwords, the
        // review queue with final decisions, and the audit trail (a hash chain, append-only). Its
        // indexes leave out submissions, the bulk of its rows: each would cost every submission
        // two more B-tree writes, and newest-first scans find submissions soon enough.
        """
        ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'officer' CHECK (role IN ('officer', 'reviewer', 'admin'));
        ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE reviews (
            seq INTEGER PRIMARY KEY REFERENCES jobs(seq),
            origin TEXT NOT NULL CHECK (origin IN ('model', 'officer', 'override')),
            request_note TEXT,
            opened_at REAL NOT NULL,
            decision TEXT CHECK (decision IN ('approve', 'decline')),
            reason_code TEXT,
            note TEXT,
            decided_by INTEGER REFERENCES users(id),
            decided_at REAL
        );
        CREATE INDEX reviews_open ON reviews(seq) WHERE decision IS NULL;
        CREATE INDEX reviews_decided ON reviews(decided_at) WHERE decision IS NOT NULL;
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            actor INTEGER,
            actor_name TEXT NOT NULL,
            action TEXT NOT NULL,
            object TEXT NOT NULL,
            detail TEXT NOT NULL,
            address TEXT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_by_actor ON audit(actor_name, seq) WHERE action <> 'submission';
        CREATE INDEX audit_by_action ON audit(action, seq) WHERE action <> 'submission';
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        """,
        // 11: the model register (champion and challenger, append-only) and the challenger's shadow results.
        """
        CREATE TABLE model_assignments (
            seq INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('promote', 'rollback', 'challenge')),
            model TEXT,
            file TEXT,
            actor_name TEXT NOT NULL
        );
        CREATE TRIGGER model_assignments_no_update BEFORE UPDATE ON model_assignments BEGIN SELECT RAISE(ABORT, 'the model register is append-only'); END;
        CREATE TRIGGER model_assignments_no_delete BEFORE DELETE ON model_assignments BEGIN SELECT RAISE(ABORT, 'the model register is append-only'); END;
        CREATE TABLE shadow_results (
            seq INTEGER PRIMARY KEY REFERENCES jobs(seq),
            champion_model TEXT NOT NULL,
            champion_pd REAL NOT NULL,
            champion_decision TEXT NOT NULL,
            challenger_model TEXT NOT NULL,
            challenger_pd REAL NOT NULL,
            challenger_decision TEXT NOT NULL,
            challenger_result TEXT
        );
        CREATE INDEX shadow_by_models ON shadow_results(challenger_model, champion_model);
        """,
        // 12: outcomes (what happened to an applicant), found by job or by the lender's client id.
        """
        CREATE TABLE outcomes (
            seq INTEGER PRIMARY KEY REFERENCES jobs(seq),
            defaulted INTEGER NOT NULL CHECK (defaulted IN (0, 1)),
            observed_at REAL,
            recorded_at REAL NOT NULL
        );
        CREATE INDEX jobs_by_client ON jobs(client_id) WHERE client_id IS NOT NULL;
        """,
        // 13: the readiness probe's row (GET /api/health/ready writes it to prove the disk takes writes).
        """
        CREATE TABLE readiness (id INTEGER PRIMARY KEY CHECK (id = 1), at REAL NOT NULL);
        """,
        // 14: API keys (the SHA-256 of each; the key's account is a user without a password).
        """
        CREATE TABLE api_keys (
            user_id INTEGER PRIMARY KEY REFERENCES users(id),
            digest TEXT NOT NULL UNIQUE,
            hint TEXT NOT NULL,
            created_at REAL NOT NULL,
            last_used_at REAL,
            revoked_at REAL
        );
        """,
        // 15: the applicant's name and client id beside the job, so that a history page does not
        // parse each application to show them; filled in for the applications stored before.
        """
        ALTER TABLE jobs ADD COLUMN applicant_name TEXT;
        UPDATE jobs SET
          applicant_name = (SELECT json_extract(p.payload, '$.applicant_name') FROM job_payloads p WHERE p.seq = jobs.seq AND json_valid(p.payload)),
          client_id = coalesce(client_id,
            (SELECT CAST(json_extract(p.payload, '$.id_client') AS TEXT) FROM job_payloads p WHERE p.seq = jobs.seq AND json_valid(p.payload)));
        """,
        // batch-dialects: how an uploaded CSV file wrote its cells (semicolon or comma), so that its
        // results come back the same way; NULL for JSON lines and the batches stored before.
        """
        ALTER TABLE batches ADD COLUMN dialect TEXT CHECK (dialect IN ('semicolon', 'comma'));
        """,
        // user-languages: the language each person chose for the site, remembered for the account.
        """
        ALTER TABLE users ADD COLUMN language TEXT;
        """,
        // history-search: each job's name folded (lowercase, no accents) as words, and its client id
        // as one word, beside the job; the words in a table ordered by owner, word and job, so a
        // word's start is a range scan. The history goes by submission time and shows a
        // batch's rows too: one index of every job by owner and time (days are a range of it), with
        // whether it is a batch's row, instead of the single applications' by owner. Existing jobs
        // are filled in by the migration (``SearchIndex/fill(_:)``).
        """
        ALTER TABLE jobs ADD COLUMN search_name TEXT;
        ALTER TABLE jobs ADD COLUMN search_client TEXT;
        CREATE TABLE search_words (
            owner INTEGER NOT NULL,
            word TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (owner, word, seq)
        ) WITHOUT ROWID;
        DROP INDEX jobs_single_by_owner;
        CREATE INDEX jobs_by_owner_time ON jobs(owner, submitted_at, seq, batch_seq);
        """,
        // review-rounds: an application has review rounds over time (a customer may ask for a
        // review of one decided already): one row per job and round, the existing rows as round 1.
        // A customer's request keeps the statement, the documents' codes and a due date; a round
        // names the re-score a reviewer made with corrected inputs, which the queue leaves out.
        // At most one round of a job is open. SQLite cannot change a CHECK, so the table is rebuilt.
        """
        CREATE TABLE reviews_rounds (
            seq INTEGER NOT NULL REFERENCES jobs(seq),
            round INTEGER NOT NULL DEFAULT 1,
            origin TEXT NOT NULL CHECK (origin IN ('model', 'officer', 'override', 'customer')),
            request_note TEXT,
            opened_at REAL NOT NULL,
            decision TEXT CHECK (decision IN ('approve', 'decline')),
            reason_code TEXT,
            note TEXT,
            decided_by INTEGER REFERENCES users(id),
            decided_at REAL,
            statement TEXT,
            documents TEXT,
            due_at REAL,
            rescore_seq INTEGER REFERENCES jobs(seq),
            PRIMARY KEY (seq, round)
        );
        INSERT INTO reviews_rounds (seq, round, origin, request_note, opened_at, decision, reason_code, note, decided_by, decided_at)
        SELECT seq, 1, origin, request_note, opened_at, decision, reason_code, note, decided_by, decided_at FROM reviews;
        DROP TABLE reviews;
        ALTER TABLE reviews_rounds RENAME TO reviews;
        CREATE UNIQUE INDEX reviews_open ON reviews(seq) WHERE decision IS NULL;
        CREATE INDEX reviews_decided ON reviews(decided_at) WHERE decision IS NOT NULL;
        CREATE INDEX reviews_by_rescore ON reviews(rescore_seq) WHERE rescore_seq IS NOT NULL;
        """,
    ]
}
