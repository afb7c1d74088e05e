-- Creates of one store no longer wait for each other (sqlstore/ids.go).
-- Two rows every create of a store wrote made it wait until the create
-- before it committed: its ID counter, and its row count. On PostgreSQL,
-- whose transactions run in parallel, that capped the creates of a store
-- at one WAL flush each (about 500/s).
--
-- 1. Customer and address IDs come from a sequence per store. Their
--    id_counters rows stay, unused by creates, so that an older release's
--    export of the database still reads a counter.
-- 2. Row counts are kept in shards: each session adds to the shard of its
--    backend, so two inserts meet on a row only when their backends share a
--    shard; readers sum the shards.

DO $$
DECLARE
	s RECORD;
BEGIN
	FOR s IN SELECT id FROM stores LOOP
		EXECUTE format('CREATE SEQUENCE customer_ids_%s START WITH %s', s.id, 1 + GREATEST(
			COALESCE((SELECT last_id FROM id_counters WHERE store_id = s.id AND resource = 'customer'), 0),
			COALESCE((SELECT MAX(id) FROM customers WHERE store_id = s.id), 0)));
		EXECUTE format('CREATE SEQUENCE address_ids_%s START WITH %s', s.id, 1 + GREATEST(
			COALESCE((SELECT last_id FROM id_counters WHERE store_id = s.id AND resource = 'address'), 0),
			COALESCE((SELECT MAX(id) FROM customer_addresses WHERE store_id = s.id), 0)));
	END LOOP;
END
$$;

ALTER TABLE row_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE row_counts DROP CONSTRAINT row_counts_pkey;
ALTER TABLE row_counts ADD PRIMARY KEY (store_id, resource, shard);

-- 16 shards: with a pool of up to 64 connections, a shard is shared by a
-- handful of them, and a count reads at most 16 rows.
CREATE OR REPLACE FUNCTION count_inserted_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO row_counts (store_id, resource, shard, n)
		SELECT store_id, TG_ARGV[0], pg_backend_pid() % 16, COUNT(*) FROM inserted_rows GROUP BY store_id
	ON CONFLICT (store_id, resource, shard) DO UPDATE SET n = row_counts.n + EXCLUDED.n;
	RETURN NULL;
END
$$;

-- A delete subtracts in its own shard too (a shard may go negative; the
-- sum is right). The join skips a store deleted in this transaction, whose
-- row_counts went with it: a new row would fail its foreign key.
CREATE OR REPLACE FUNCTION count_deleted_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO row_counts (store_id, resource, shard, n)
		SELECT d.store_id, TG_ARGV[0], pg_backend_pid() % 16, -COUNT(*)
		FROM deleted_rows d JOIN stores s ON s.id = d.store_id GROUP BY d.store_id
	ON CONFLICT (store_id, resource, shard) DO UPDATE SET n = row_counts.n + EXCLUDED.n;
	RETURN NULL;
END
$$;
