-- Every table in Guardian's SQLite file, created once by guardian.store.db.ensure.
-- Statements are idempotent (IF NOT EXISTS): a file written by an older version gains what it lacks.
-- Columns added after a table first shipped are listed in db.COLUMNS (SQLite has no ADD COLUMN IF NOT EXISTS).

-- Every recognised purchase attempt (guardian.store.ledger). Amounts twice: exact text, and integer
-- 1/10,000 units (rounded up) for sums.
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    tz TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    proxy_user TEXT,
    child TEXT,
    app TEXT NOT NULL,
    kind TEXT NOT NULL,
    rule TEXT NOT NULL,
    app_amount TEXT,
    app_unit TEXT NOT NULL,
    amount TEXT,
    amount_units INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    recipient TEXT,
    decision TEXT NOT NULL CHECK (decision IN ('allowed', 'blocked')),
    reason TEXT,
    problem TEXT,
    outcome TEXT NOT NULL DEFAULT 'pending',
    mac TEXT,
    continues INTEGER  -- a later step of this earlier attempt's payment (counted there, not here)
);
CREATE INDEX IF NOT EXISTS attempts_allowed ON attempts (child, at_ms) WHERE decision = 'allowed';
CREATE INDEX IF NOT EXISTS attempts_at ON attempts (at_ms);

-- The append-only, hash-chained record of everything that is evidence (guardian.store.journal).
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ref INTEGER,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_ref ON journal (kind, ref);

-- Notifications waiting for the dashboard's delivery job (guardian.store.outbox).
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    child TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'summarised')),
    tries INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_ms INTEGER,
    ref INTEGER  -- the approval a question's event is about
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, id);

-- Each notification's way to each of the parent's phone channels (guardian.store.sends): pending until a
-- message carrying it was accepted by the channel. A channel's rows leave with the channel.
CREATE TABLE IF NOT EXISTS sends (
    event INTEGER NOT NULL,  -- outbox.id
    channel TEXT NOT NULL,   -- [[notifications.channel]] id
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
    urgent INTEGER NOT NULL DEFAULT 0,
    tries INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    message INTEGER,         -- the channel_messages row that carried it
    PRIMARY KEY (channel, event)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sends_pending ON sends (state, channel);
-- Every request made to a phone channel, tests included: its rate limits count these. `error` is NULL when the
-- channel accepted it, else plain words (never the address).
CREATE TABLE IF NOT EXISTS channel_messages (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    events INTEGER NOT NULL,
    urgent INTEGER NOT NULL DEFAULT 0,
    test INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    permanent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS channel_messages_at ON channel_messages (channel, at_ms);
-- How far the phone delivery has read the outbox (one row).
CREATE TABLE IF NOT EXISTS sends_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    event INTEGER NOT NULL
);

-- Desktop notifications handed to the agent in the parent's own session (guardian.store.desktop_notes).
CREATE TABLE IF NOT EXISTS desktop_notes (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    shown_ms INTEGER
);
-- When the parent's desktop agent last asked for notes, and what it last could not show.
CREATE TABLE IF NOT EXISTS desktop_agent (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seen_ms INTEGER NOT NULL,
    last_error TEXT
);

-- A parent's locks and extra allowances (guardian.store.overrides).
CREATE TABLE IF NOT EXISTS overrides (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('lock', 'extra')),
    child TEXT,
    day TEXT,
    amount TEXT,
    amount_units INTEGER NOT NULL DEFAULT 0,
    until_ms INTEGER,
    created_ms INTEGER NOT NULL,
    cleared_ms INTEGER
);
CREATE INDEX IF NOT EXISTS overrides_live ON overrides (kind, cleared_ms);

-- Every change a parent makes to the limits (guardian.store.changes).
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    what TEXT NOT NULL,
    detail TEXT NOT NULL,
    author TEXT  -- "parent (dashboard)" or an administrator's account; never the child's
);

-- Questions to a parent and their answers (guardian.store.approvals).
CREATE TABLE IF NOT EXISTS approvals (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    child TEXT NOT NULL,
    app TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT,
    amount TEXT NOT NULL,
    amount_units INTEGER NOT NULL,
    currency TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    proxy_user TEXT,
    attempt_id INTEGER,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied', 'used')),
    over_cap INTEGER NOT NULL DEFAULT 0,
    decided_by TEXT,
    decided_via TEXT,
    decided_ms INTEGER,
    used_attempt INTEGER,
    used_ms INTEGER
);
CREATE INDEX IF NOT EXISTS approvals_key ON approvals (child, app, amount_units, state);
CREATE INDEX IF NOT EXISTS approvals_state ON approvals (state, id);

-- Spending per child in 15-minute buckets (900,000 ms = guardian.store.spend.BUCKET_MS), kept by the
-- triggers below whoever writes the attempts. A purchase counts when it is allowed, has a child, and its
-- outcome is pending or accepted. A ledger written before the buckets existed is back-filled once (db.ensure).
CREATE TABLE IF NOT EXISTS spend_buckets (
    child TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    units INTEGER NOT NULL,
    PRIMARY KEY (child, bucket)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS spend_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO spend_buckets (child, bucket, units) SELECT NEW.child, NEW.at_ms / 900000, NEW.amount_units
        WHERE (NEW.decision = 'allowed' AND NEW.child IS NOT NULL AND NEW.outcome IN ('pending', 'accepted'))
        ON CONFLICT (child, bucket) DO UPDATE SET units = units + excluded.units;
END;

CREATE TRIGGER IF NOT EXISTS spend_delete AFTER DELETE ON attempts BEGIN
    INSERT INTO spend_buckets (child, bucket, units) SELECT OLD.child, OLD.at_ms / 900000, -OLD.amount_units
        WHERE (OLD.decision = 'allowed' AND OLD.child IS NOT NULL AND OLD.outcome IN ('pending', 'accepted'))
        ON CONFLICT (child, bucket) DO UPDATE SET units = units + excluded.units;
END;

-- Settling a pending purchase as accepted changes nothing that counts: no bucket is touched then.
CREATE TRIGGER IF NOT EXISTS spend_update AFTER UPDATE OF child, at_ms, decision, outcome, amount_units ON attempts
    WHEN (OLD.decision = 'allowed' AND OLD.child IS NOT NULL AND OLD.outcome IN ('pending', 'accepted'))
         IS NOT (NEW.decision = 'allowed' AND NEW.child IS NOT NULL AND NEW.outcome IN ('pending', 'accepted'))
      OR OLD.child IS NOT NEW.child OR OLD.amount_units IS NOT NEW.amount_units
      OR OLD.at_ms / 900000 IS NOT NEW.at_ms / 900000
BEGIN
    INSERT INTO spend_buckets (child, bucket, units) SELECT OLD.child, OLD.at_ms / 900000, -OLD.amount_units
        WHERE (OLD.decision = 'allowed' AND OLD.child IS NOT NULL AND OLD.outcome IN ('pending', 'accepted'))
        ON CONFLICT (child, bucket) DO UPDATE SET units = units + excluded.units;
    INSERT INTO spend_buckets (child, bucket, units) SELECT NEW.child, NEW.at_ms / 900000, NEW.amount_units
        WHERE (NEW.decision = 'allowed' AND NEW.child IS NOT NULL AND NEW.outcome IN ('pending', 'accepted'))
        ON CONFLICT (child, bucket) DO UPDATE SET units = units + excluded.units;
END;

-- When each device was last seen through the proxy (guardian.setup.devices_seen).
CREATE TABLE IF NOT EXISTS devices_seen (
    device TEXT PRIMARY KEY,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL
);

-- The dashboard's parent password and failed logins (guardian.setup.logins). A session names the generation
-- it was opened in; logging out and changing the password start a new one, so older sessions stop working.
CREATE TABLE IF NOT EXISTS parent_login (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hash TEXT NOT NULL,
    set_ms INTEGER NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0
);
-- Failed logins per lane (one for browsers the parent logged in with before, one for everyone else), and how
-- many of them the parent was told about.
CREATE TABLE IF NOT EXISTS login_failures (
    client TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    noticed INTEGER NOT NULL DEFAULT 0
);

-- Gift prices learned from the apps' gift lists (guardian.store.gift_prices).
CREATE TABLE IF NOT EXISTS gift_prices (
    app TEXT NOT NULL,
    gift_id TEXT NOT NULL,
    price TEXT NOT NULL,
    learned_ms INTEGER NOT NULL,
    PRIMARY KEY (app, gift_id)
);

-- The phones and tablets a parent added or removed (guardian.setup.phones): the latest of each, journaled.
CREATE TABLE IF NOT EXISTS devices (
    device TEXT PRIMARY KEY,
    child TEXT,
    action TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);

-- Payment-looking requests no rule matched (guardian.store.unrecognised).
CREATE TABLE IF NOT EXISTS unrecognised (
    host TEXT NOT NULL,
    path TEXT NOT NULL,
    app TEXT NOT NULL,
    method TEXT NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    hits INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (host, path)
);

-- Weekly summaries (guardian.evidence.reports).
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    week TEXT NOT NULL UNIQUE,
    at_ms INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);

-- What a purge removed, so the record still verifies afterwards (guardian.evidence.retention).
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    before_ms INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    entries INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    first_at_ms INTEGER,
    last_at_ms INTEGER,
    totals TEXT NOT NULL,
    purged_digest TEXT NOT NULL
);
