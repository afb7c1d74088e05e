-- An index for every documented filter of the V2 collections (BEHAVIOR.md,
-- "Collections"), each leading with the store, so that a filtered list,
-- count or delete reads the matching rows of one store and never scans the
-- store, let alone the table. Without them, 39 list requests of one store
-- filtering 100k customers (within its quota) held every SQLite reader and
-- delayed other stores' reads by seconds (issue 12, defect 5).
--
-- Each ends with id, the order of every page: an equality filter then reads
-- its page straight off the index, in order, and stops at the limit; a date
-- range finds the page's ids in the index alone (findCustomers selects the
-- ids first) and sorts only integers. The group and date indexes of 0001
-- lack the id: they are replaced, under the same names.
--
-- email has its unique index (0001); min_id and max_id use the primary key.
-- Groups: name:like is a substring match, which no b-tree serves; it reads
-- the store's groups, a few per store. is_default and is_group_for_guests
-- match one row or nearly all of them.
--
-- Each index costs every customer insert and update a little: a filter the
-- API documents is worth it.

CREATE INDEX customers_first_name ON customers (store_id, first_name, id);
CREATE INDEX customers_last_name ON customers (store_id, last_name, id);
CREATE INDEX customers_company ON customers (store_id, company, id);
CREATE INDEX customers_phone ON customers (store_id, phone, id);
CREATE INDEX customers_store_credit ON customers (store_id, store_credit, id);
CREATE INDEX customers_tax_exempt_category ON customers (store_id, tax_exempt_category, id);

DROP INDEX customers_group;
CREATE INDEX customers_group ON customers (store_id, customer_group_id, id);
DROP INDEX customers_date_created;
CREATE INDEX customers_date_created ON customers (store_id, date_created, id);
DROP INDEX customers_date_modified;
CREATE INDEX customers_date_modified ON customers (store_id, date_modified, id);

CREATE INDEX customer_groups_name ON customer_groups (store_id, name, id);
CREATE INDEX customer_groups_date_created ON customer_groups (store_id, date_created, id);
CREATE INDEX customer_groups_date_modified ON customer_groups (store_id, date_modified, id);
