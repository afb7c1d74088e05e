-- Customer Login (spec/LOGIN.md, docs/login.md): what signing shoppers in on
-- a store's storefront must share between the nodes of one database and
-- keep across restarts.

-- The jti of every login token used, kept while a token carrying it could
-- still pass the iat window: "the token will be invalidated after the GET"
-- must hold on every node. The primary key makes using one atomic: of two
-- nodes inserting the same (store_id, jti), one inserts and one finds it.
-- Rows past expires_at are pruned by the next use in the store
-- (sqlstore/login.go).
CREATE TABLE login_jtis (
	store_id   INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	jti        TEXT   NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (store_id, jti)
);
CREATE INDEX login_jtis_expiry ON login_jtis (store_id, expires_at);

-- The newest login attempts of each store with the reason of each refusal,
-- for the admin API (GET /admin/v1/stores/{hash}/login/attempts) and the
-- control panel of any node. Bounded per store (customersd.MaxLoginAttempts).
-- Never the token's signature, never a secret: claims is the decoded payload.
-- The id is global, not per store: an attempt is no BigCommerce resource,
-- and a store's reset must not restart it under rows that stay.
CREATE TABLE login_attempts (
	id          INTEGER PRIMARY KEY,
	store_id    INTEGER  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	at          INTEGER  NOT NULL,
	ok          BOOLEAN NOT NULL,
	check_name  TEXT    NOT NULL,
	reason      TEXT    NOT NULL,
	detail      TEXT    NOT NULL,
	client_id   TEXT    NOT NULL,
	customer_id INTEGER  NOT NULL,
	ip          TEXT    NOT NULL,
	claims      TEXT    NOT NULL
);
CREATE INDEX login_attempts_store ON login_attempts (store_id, id);

-- Storefront sessions: a row per signed-in browser, found by the SHA-256 of
-- the random token in its cookie, so that any node serves the session and
-- signing out ends it everywhere. Deleting the customer ends its sessions.
CREATE TABLE storefront_sessions (
	token_hash  BLOB   PRIMARY KEY,
	store_id    INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id) ON DELETE CASCADE
);
CREATE INDEX storefront_sessions_customer ON storefront_sessions (store_id, customer_id);
CREATE INDEX storefront_sessions_expiry ON storefront_sessions (store_id, expires_at);
