-- Webhooks (issue 14, spec/WEBHOOKS.md): the hooks apps subscribe, the
-- outbox of events that customer and address writes store in their own
-- transaction, and the deliveries of each event to each matching hook, with
-- the log of their attempts.
--
-- The outbox tables carry no foreign keys: a foreign key check locks the
-- row it points at (PostgreSQL: FOR KEY SHARE), and every customer write
-- inserting its event and deliveries would then lock the store's row and
-- its hooks, making writes queue behind hook changes. Their rows are
-- deleted by code instead (sqlstore/webhook*.go), and claims join the hook,
-- so a delivery whose hook is gone is never sent. Times of the queue are Unix
-- microseconds: scaled retry schedules (--webhook-time-scale) space attempts
-- by milliseconds.

-- A subscription, owned by the API account (client_id) that made it. No
-- foreign key to api_accounts: importing a store replaces its accounts'
-- rows, which must not cascade to their hooks; revoking an account deletes
-- its hooks in code (RevokeAPIAccount).
CREATE TABLE hooks (
	store_id    INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	id          INTEGER NOT NULL,
	client_id   TEXT    NOT NULL,
	scope       TEXT    NOT NULL,
	destination TEXT    NOT NULL,
	is_active   BOOLEAN NOT NULL DEFAULT TRUE,
	-- A JSON object of strings, or NULL for none.
	headers     TEXT,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (store_id, id)
);
-- One hook per store, account, scope and destination (the limit of
-- WEBHOOKS.md), kept by the database so concurrent creates cannot break it.
CREATE UNIQUE INDEX hooks_destination ON hooks (store_id, client_id, scope, destination);
-- The write path's lookup: a store's active hooks, by scope.
CREATE INDEX hooks_active ON hooks (store_id, scope) WHERE is_active;

-- The addresses of GET/PUT /v3/hooks/admin, per store and account: a JSON array.
CREATE TABLE hook_emails (
	store_id  INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	client_id TEXT    NOT NULL,
	emails    TEXT    NOT NULL,
	PRIMARY KEY (store_id, client_id)
);

-- The outbox. An event is stored only when some active hook of the store
-- subscribes to its scope: an event nobody receives would only be pruned.
-- The payload is the exact body of every delivery, fixed at commit.
-- No index but the key: every index costs each write that emits, and only
-- rare whole-store operations and pruning look events up otherwise.
CREATE TABLE webhook_events (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id   INTEGER NOT NULL,
	scope      TEXT    NOT NULL,
	hash       TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	payload    TEXT    NOT NULL
);

-- One event on its way to one hook. next_at is when it may be claimed: its
-- next attempt, or the end of the lease a worker holds (lease_until, NULL
-- when none). done_at is when it was delivered or failed, for pruning.
-- IDs are global, not per store: the queue is shared by every store.
-- AUTOINCREMENT: an ID is never reused after pruning, so a receiver that
-- remembers one never mistakes a new delivery for an old one.
CREATE TABLE webhook_deliveries (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id    INTEGER NOT NULL,
	hook_id     INTEGER NOT NULL,
	event_id    INTEGER NOT NULL,
	delivery_state TEXT NOT NULL DEFAULT 'pending',
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     INTEGER NOT NULL,
	lease_until INTEGER,
	done_at     INTEGER
);
-- Each index below costs every emitting write one entry per hook, so there
-- are only those the queue and the delivery log need. Deleting a hook or an
-- account reads the store's deliveries (the store index) and pruning finds
-- the events no delivery needs without one: both are rare.
-- The workers' queue: pending deliveries by due time, and nothing else.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at, id) WHERE delivery_state = 'pending';
CREATE INDEX webhook_deliveries_store ON webhook_deliveries (store_id, id);
CREATE INDEX webhook_deliveries_done ON webhook_deliveries (done_at) WHERE delivery_state <> 'pending';

-- The attempts of a delivery: the delivery log.
CREATE TABLE webhook_attempts (
	delivery_id INTEGER  NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
	number      INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	status_code INTEGER NOT NULL,
	error       TEXT    NOT NULL DEFAULT '',
	duration_us INTEGER NOT NULL,
	-- NULL: no next attempt.
	next_at     INTEGER,
	PRIMARY KEY (delivery_id, number)
);
