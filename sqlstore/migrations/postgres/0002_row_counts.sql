-- Row counts per store, kept by triggers, so that an unfiltered count
-- (GET /customers/count, GET /customers/addresses/count, the admin API's
-- store counts) reads one row instead of scanning a million. Triggers see
-- every insert and delete, cascades and bulk deletes included.

CREATE TABLE row_counts (
	store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	resource TEXT   NOT NULL,
	n        BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (store_id, resource)
);

INSERT INTO row_counts (store_id, resource, n) SELECT store_id, 'customer', COUNT(*) FROM customers GROUP BY store_id;
INSERT INTO row_counts (store_id, resource, n) SELECT store_id, 'address', COUNT(*) FROM customer_addresses GROUP BY store_id;
INSERT INTO row_counts (store_id, resource, n) SELECT store_id, 'group', COUNT(*) FROM customer_groups GROUP BY store_id;

-- TG_ARGV[0] names the resource. The upsert takes the counter row's lock
-- until commit; inserts into one store already serialise on id_counters.
CREATE FUNCTION count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO row_counts (store_id, resource, n) VALUES (NEW.store_id, TG_ARGV[0], 1)
		ON CONFLICT (store_id, resource) DO UPDATE SET n = row_counts.n + 1;
	ELSE
		UPDATE row_counts SET n = n - 1 WHERE store_id = OLD.store_id AND resource = TG_ARGV[0];
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER customers_count AFTER INSERT OR DELETE ON customers
	FOR EACH ROW EXECUTE FUNCTION count_rows('customer');
CREATE TRIGGER customer_addresses_count AFTER INSERT OR DELETE ON customer_addresses
	FOR EACH ROW EXECUTE FUNCTION count_rows('address');
CREATE TRIGGER customer_groups_count AFTER INSERT OR DELETE ON customer_groups
	FOR EACH ROW EXECUTE FUNCTION count_rows('group');
