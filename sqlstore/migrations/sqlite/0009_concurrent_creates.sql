-- Nothing changes on SQLite. On PostgreSQL this migration gives customer and
-- address IDs a sequence per store and shards the row counts, so that creates
-- of one store stop waiting for each other (sqlstore/ids.go). SQLite runs one
-- write transaction at a time: its creates wait for each other anyway, and
-- its counter rows cost nothing more.
SELECT 1;
