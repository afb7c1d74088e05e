-- Indexes for the control panel's customer search (CustomerSearch.Query):
-- a query is a prefix of the lower-cased first name, last name or company,
-- so each is one range of one of these indexes, at a million customers as at
-- ten. The email's prefix uses the unique index on email_key (0001).
-- lower() folds ASCII only in SQLite; the schema cannot name the process's
-- Unicode lower (sqlstore/dialect.go), or only customersd could open the file.

CREATE INDEX customers_search_first_name ON customers (store_id, lower(first_name));
CREATE INDEX customers_search_last_name ON customers (store_id, lower(last_name));
CREATE INDEX customers_search_company ON customers (store_id, lower(company));
