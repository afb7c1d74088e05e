-- Indexes for the control panel's customer search (CustomerSearch.Query):
-- a query is a prefix of the email key or the lower-cased first name, last
-- name or company, so each is one range of one of these indexes, at a
-- million customers as at ten. They compare in the "C" collation, byte by
-- byte, so that a prefix is one range whatever the database's locale
-- (under en_US, '@' and '.' sort as if absent, and a range is not a prefix).

CREATE INDEX customers_search_email ON customers (store_id, (email_key COLLATE "C"));
CREATE INDEX customers_search_first_name ON customers (store_id, (lower(first_name) COLLATE "C"));
CREATE INDEX customers_search_last_name ON customers (store_id, (lower(last_name) COLLATE "C"));
CREATE INDEX customers_search_company ON customers (store_id, (lower(company) COLLATE "C"));
