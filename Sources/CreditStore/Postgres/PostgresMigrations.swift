/// The PostgreSQL schema in steps: the same tables and columns as ``SQLiteMigrations``, in
/// PostgreSQL's types. Its first step holds the first six of ``Migrator/migrations`` at once
/// (PostgreSQL support came when SQLite was at its sixth); each later step is one migration.
enum PostgresMigrations {
    static let steps: [String] = [
        // 1: the schema of SQLite version 6 in one step.
        """
        CREATE TABLE users (
            id bigserial PRIMARY KEY,
            name text NOT NULL,
            password_hash text NOT NULL,
            disabled boolean NOT NULL DEFAULT false,
            created_at double precision NOT NULL
        );
        CREATE UNIQUE INDEX users_by_name ON users (lower(name));
        CREATE TABLE jobs (
            seq bigserial PRIMARY KEY,
            id text NOT NULL UNIQUE,
            owner bigint NOT NULL REFERENCES users(id),
            status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            idempotency_key text,
            request_hash text,
            rescore_of text,
            submitted_at double precision NOT NULL,
            started_at double precision,
            completed_at double precision,
            lease_until double precision,
            worker text
        );
        CREATE INDEX jobs_queued ON jobs(seq) WHERE status = 'queued';
        CREATE INDEX jobs_leased ON jobs(lease_until) WHERE status = 'running';
        CREATE INDEX jobs_by_owner ON jobs(owner, seq);
        CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs(owner, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE TABLE job_payloads (seq bigint PRIMARY KEY REFERENCES jobs(seq) ON DELETE CASCADE, payload text NOT NULL);
        CREATE TABLE job_results (seq bigint PRIMARY KEY REFERENCES jobs(seq) ON DELETE CASCADE, result text, error text);
        CREATE TABLE login_failures (id bigserial PRIMARY KEY, key text NOT NULL, at double precision NOT NULL);
        CREATE INDEX login_failures_by_key ON login_failures(key, at);
        CREATE TABLE heartbeats (worker text PRIMARY KEY, at double precision NOT NULL, model text, mode text NOT NULL DEFAULT 'resident');
        CREATE TABLE signin_attempts (at double precision NOT NULL, known boolean NOT NULL);
        CREATE INDEX signin_attempts_by_time ON signin_attempts(at);
        """,
        // 2: the validated application in compact form (SQLite version 7).
        """
        ALTER TABLE job_payloads ADD COLUMN record text;
        """,
        // 3: batches (SQLite version 8).
        """
        CREATE TABLE batches (
            seq bigserial PRIMARY KEY,
            id text NOT NULL UNIQUE,
            owner bigint NOT NULL REFERENCES users(id),
            name text NOT NULL,
            rows integer NOT NULL,
            loaded boolean NOT NULL DEFAULT false,
            created_at double precision NOT NULL
        );
        CREATE INDEX batches_by_owner ON batches(owner, seq);
        ALTER TABLE jobs ADD COLUMN batch_seq bigint REFERENCES batches(seq);
        ALTER TABLE jobs ADD COLUMN batch_line integer;
        ALTER TABLE jobs ADD COLUMN client_id text;
        CREATE INDEX jobs_by_batch ON jobs(batch_seq, batch_line) WHERE batch_seq IS NOT NULL;
        CREATE INDEX jobs_single_by_owner ON jobs(owner, seq) WHERE batch_seq IS NULL;
        """,
        // 4: the index of every job by owner, unused since 3 (SQLite version 9).
        """
        DROP INDEX jobs_by_owner;
        """,
        // 5: roles, token generations, one-time passwords, reviews and the audit trail (SQLite version 10).
        """
        ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'officer' CHECK (role IN ('officer', 'reviewer', 'admin'));
        ALTER TABLE users ADD COLUMN token_generation integer NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
        CREATE TABLE reviews (
            seq bigint PRIMARY KEY REFERENCES jobs(seq),
            origin text NOT NULL CHECK (origin IN ('model', 'officer', 'override')),
            request_note text,
            opened_at double precision NOT NULL,
            decision text CHECK (decision IN ('approve', 'decline')),
            reason_code text,
            note text,
            decided_by bigint REFERENCES users(id),
            decided_at double precision
        );
        CREATE INDEX reviews_open ON reviews(seq) WHERE decision IS NULL;
        CREATE INDEX reviews_decided ON reviews(decided_at) WHERE decision IS NOT NULL;
        CREATE TABLE audit (
            seq bigint PRIMARY KEY,
            at double precision NOT NULL,
            actor bigint,
            actor_name text NOT NULL,
            action text NOT NULL,
            object text NOT NULL,
            detail text NOT NULL,
            address text NOT NULL,
            previous_hash text NOT NULL,
            hash text NOT NULL
        );
        CREATE INDEX audit_by_actor ON audit(actor_name, seq) WHERE action <> 'submission';
        CREATE INDEX audit_by_action ON audit(action, seq) WHERE action <> 'submission';
        CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
        CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        """,
        // 6: the model register and the challenger's shadow results (SQLite version 11).
        """
        CREATE TABLE model_assignments (
            seq bigserial PRIMARY KEY,
            at double precision NOT NULL,
            action text NOT NULL CHECK (action IN ('promote', 'rollback', 'challenge')),
            model text,
            file text,
            actor_name text NOT NULL
        );
        CREATE FUNCTION model_register_append_only() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN RAISE EXCEPTION 'the model register is append-only'; END $$;
        CREATE TRIGGER model_assignments_no_change BEFORE UPDATE OR DELETE ON model_assignments FOR EACH ROW EXECUTE FUNCTION model_register_append_only();
        CREATE TABLE shadow_results (
            seq bigint PRIMARY KEY REFERENCES jobs(seq),
            champion_model text NOT NULL,
            champion_pd double precision NOT NULL,
            champion_decision text NOT NULL,
            challenger_model text NOT NULL,
            challenger_pd double precision NOT NULL,
            challenger_decision text NOT NULL,
            challenger_result text
        );
        CREATE INDEX shadow_by_models ON shadow_results(challenger_model, champion_model);
        """,
        // 7: outcomes (SQLite version 12).
        """
        CREATE TABLE outcomes (
            seq bigint PRIMARY KEY REFERENCES jobs(seq),
            defaulted boolean NOT NULL,
            observed_at double precision,
            recorded_at double precision NOT NULL
        );
        CREATE INDEX jobs_by_client ON jobs(client_id) WHERE client_id IS NOT NULL;
        """,
        // 8: the readiness probe's row (SQLite version 13).
        """
        CREATE TABLE readiness (id integer PRIMARY KEY CHECK (id = 1), at double precision NOT NULL);
        """,
        // 9: API keys (SQLite version 14).
        """
        CREATE TABLE api_keys (
            user_id bigint PRIMARY KEY REFERENCES users(id),
            digest text NOT NULL UNIQUE,
            hint text NOT NULL,
            created_at double precision NOT NULL,
            last_used_at double precision,
            revoked_at double precision
        );
        """,
        // 10: the applicant's name and client id beside the job (SQLite version 15).
        """
        ALTER TABLE jobs ADD COLUMN applicant_name text;
        UPDATE jobs j SET applicant_name = p.payload::jsonb ->> 'applicant_name', client_id = coalesce(j.client_id, p.payload::jsonb ->> 'id_client')
        FROM job_payloads p WHERE p.seq = j.seq AND p.payload LIKE '{%';
        """,
        // batch-dialects: the uploaded CSV file's dialect (SQLite's batch-dialects).
        """
        ALTER TABLE batches ADD COLUMN dialect text CHECK (dialect IN ('semicolon', 'comma'));
        """,
        // user-languages: the language each person chose for the site (SQLite's user-languages).
        """
        ALTER TABLE users ADD COLUMN language text;
        """,
        // history-search (SQLite's history-search). Words compare byte by byte (C collation), so
        // that a word's start is a range of the index whatever the database's locale.
        """
        ALTER TABLE jobs ADD COLUMN search_name text;
        ALTER TABLE jobs ADD COLUMN search_client text;
        CREATE TABLE search_words (
            owner bigint NOT NULL,
            word text COLLATE "C" NOT NULL,
            seq bigint NOT NULL,
            PRIMARY KEY (owner, word, seq)
        );
        DROP INDEX jobs_single_by_owner;
        CREATE INDEX jobs_by_owner_time ON jobs(owner, submitted_at, seq, batch_seq);
        """,
        // review-rounds (SQLite's review-rounds): one row per job and round, the existing rows as round 1.
        """
        ALTER TABLE reviews ADD COLUMN round integer NOT NULL DEFAULT 1;
        ALTER TABLE reviews DROP CONSTRAINT reviews_pkey;
        ALTER TABLE reviews ADD PRIMARY KEY (seq, round);
        ALTER TABLE reviews DROP CONSTRAINT reviews_origin_check;
        ALTER TABLE reviews ADD CONSTRAINT reviews_origin_check CHECK (origin IN ('model', 'officer', 'override', 'customer'));
        ALTER TABLE reviews ADD COLUMN statement text;
        ALTER TABLE reviews ADD COLUMN documents text;
        ALTER TABLE reviews ADD COLUMN due_at double precision;
        ALTER TABLE reviews ADD COLUMN rescore_seq bigint REFERENCES jobs(seq);
        DROP INDEX reviews_open;
        CREATE UNIQUE INDEX reviews_open ON reviews(seq) WHERE decision IS NULL;
        CREATE INDEX reviews_by_rescore ON reviews(rescore_seq) WHERE rescore_seq IS NOT NULL;
        """,
    ]
}
