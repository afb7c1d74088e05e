-- The initial schema. Every table of store data is keyed by (store_id, id):
-- IDs are per store, as on BigCommerce, and the schema can be distributed by
-- store. Times are Unix seconds (the wire shows seconds). Money is an integer
-- of ten-thousandths (the wire shows four decimals).

CREATE TABLE stores (
	id         INTEGER PRIMARY KEY,
	hash       TEXT    NOT NULL UNIQUE,
	plan       TEXT    NOT NULL DEFAULT 'standard',
	-- NULL: the plan's quota applies.
	rate_limit_requests  INTEGER,
	rate_limit_window_ms INTEGER,
	created_at INTEGER NOT NULL
);

CREATE TABLE api_accounts (
	client_id  TEXT    PRIMARY KEY,
	store_id   INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	-- SHA-256 of the token: a token is a random secret, so a fast hash is
	-- enough and lets the lookup use an index.
	token_hash BLOB    NOT NULL UNIQUE,
	scopes     TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX api_accounts_store ON api_accounts (store_id);

-- The last ID handed out per store and resource. Locking this row in the
-- insert transaction makes IDs start at 1 and never repeat, even with several
-- processes inserting into one store.
CREATE TABLE id_counters (
	store_id INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	resource TEXT    NOT NULL,
	last_id  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (store_id, resource)
);

CREATE TABLE customer_groups (
	store_id            INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	id                  INTEGER NOT NULL,
	name                TEXT    NOT NULL,
	is_default          BOOLEAN NOT NULL DEFAULT FALSE,
	is_group_for_guests BOOLEAN NOT NULL DEFAULT FALSE,
	category_access     TEXT    NOT NULL,
	discount_rules      TEXT    NOT NULL,
	date_created        INTEGER NOT NULL,
	date_modified       INTEGER NOT NULL,
	PRIMARY KEY (store_id, id)
);
-- At most one default and one guest group per store, enforced by the
-- database so that concurrent flag changes cannot leave two.
CREATE UNIQUE INDEX customer_groups_one_default ON customer_groups (store_id) WHERE is_default;
CREATE UNIQUE INDEX customer_groups_one_guest ON customer_groups (store_id) WHERE is_group_for_guests;

CREATE TABLE customers (
	store_id                INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	id                      INTEGER NOT NULL,
	company                 TEXT    NOT NULL DEFAULT '',
	first_name              TEXT    NOT NULL,
	last_name               TEXT    NOT NULL,
	email                   TEXT    NOT NULL,
	-- lower(trim(email)): the unique key and the email filter.
	email_key               TEXT    NOT NULL,
	phone                   TEXT    NOT NULL DEFAULT '',
	form_fields             TEXT,
	date_created            INTEGER NOT NULL,
	date_modified           INTEGER NOT NULL,
	store_credit            INTEGER NOT NULL DEFAULT 0,
	registration_ip_address TEXT    NOT NULL DEFAULT '',
	-- NULL means no group (0 on the wire), so the foreign key can check
	-- that a group exists.
	customer_group_id       INTEGER,
	notes                   TEXT    NOT NULL DEFAULT '',
	tax_exempt_category     TEXT    NOT NULL DEFAULT '',
	reset_pass_on_login     BOOLEAN NOT NULL DEFAULT FALSE,
	accepts_marketing       BOOLEAN NOT NULL DEFAULT FALSE,
	-- NULL: the customer has no usable password.
	password_hash           TEXT,
	PRIMARY KEY (store_id, id),
	FOREIGN KEY (store_id, customer_group_id) REFERENCES customer_groups (store_id, id)
);
CREATE UNIQUE INDEX customers_email ON customers (store_id, email_key);
CREATE INDEX customers_group ON customers (store_id, customer_group_id);
CREATE INDEX customers_date_created ON customers (store_id, date_created);
CREATE INDEX customers_date_modified ON customers (store_id, date_modified);

CREATE TABLE customer_addresses (
	store_id     INTEGER NOT NULL,
	id           INTEGER NOT NULL,
	customer_id  INTEGER NOT NULL,
	first_name   TEXT    NOT NULL,
	last_name    TEXT    NOT NULL,
	company      TEXT    NOT NULL DEFAULT '',
	street_1     TEXT    NOT NULL,
	street_2     TEXT    NOT NULL DEFAULT '',
	city         TEXT    NOT NULL,
	state        TEXT    NOT NULL,
	zip          TEXT    NOT NULL,
	country      TEXT    NOT NULL,
	country_iso2 TEXT    NOT NULL,
	phone        TEXT    NOT NULL,
	address_type TEXT    NOT NULL DEFAULT 'residential',
	form_fields  TEXT,
	PRIMARY KEY (store_id, id),
	-- Deleting a customer deletes its addresses.
	FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_addresses_customer ON customer_addresses (store_id, customer_id, id);
