-- Row counts per store, kept by triggers, so that an unfiltered count
-- (GET /customers/count, GET /customers/addresses/count, the admin API's
-- store counts) reads one row instead of scanning a million. Triggers see
-- every insert and delete, cascades and bulk deletes included.

CREATE TABLE row_counts (
	store_id INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
	resource TEXT    NOT NULL,
	n        INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (store_id, resource)
);

INSERT INTO row_counts (store_id, resource, n) SELECT store_id, 'customer', COUNT(*) FROM customers GROUP BY store_id;
INSERT INTO row_counts (store_id, resource, n) SELECT store_id, 'address', COUNT(*) FROM customer_addresses GROUP BY store_id;
INSERT INTO row_counts (store_id, resource, n) SELECT store_id, 'group', COUNT(*) FROM customer_groups GROUP BY store_id;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers BEGIN
	INSERT OR IGNORE INTO row_counts (store_id, resource, n) VALUES (NEW.store_id, 'customer', 0);
	UPDATE row_counts SET n = n + 1 WHERE store_id = NEW.store_id AND resource = 'customer';
END;
CREATE TRIGGER customers_count_delete AFTER DELETE ON customers BEGIN
	UPDATE row_counts SET n = n - 1 WHERE store_id = OLD.store_id AND resource = 'customer';
END;

CREATE TRIGGER customer_addresses_count_insert AFTER INSERT ON customer_addresses BEGIN
	INSERT OR IGNORE INTO row_counts (store_id, resource, n) VALUES (NEW.store_id, 'address', 0);
	UPDATE row_counts SET n = n + 1 WHERE store_id = NEW.store_id AND resource = 'address';
END;
CREATE TRIGGER customer_addresses_count_delete AFTER DELETE ON customer_addresses BEGIN
	UPDATE row_counts SET n = n - 1 WHERE store_id = OLD.store_id AND resource = 'address';
END;

CREATE TRIGGER customer_groups_count_insert AFTER INSERT ON customer_groups BEGIN
	INSERT OR IGNORE INTO row_counts (store_id, resource, n) VALUES (NEW.store_id, 'group', 0);
	UPDATE row_counts SET n = n + 1 WHERE store_id = NEW.store_id AND resource = 'group';
END;
CREATE TRIGGER customer_groups_count_delete AFTER DELETE ON customer_groups BEGIN
	UPDATE row_counts SET n = n - 1 WHERE store_id = OLD.store_id AND resource = 'group';
END;
