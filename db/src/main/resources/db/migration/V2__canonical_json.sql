-- The canonical JSON of each order, kept beside its content hash: the exact bytes GET
-- /orders/{uid} returns and the cache holds. A cache miss and the warm-up then read one column of
-- one row instead of joining four tables and encoding the order again. The normalized tables stay
-- the queryable data; both are written by the same statement batch, in one transaction.
--
-- Nullable on purpose. Rows stored before this migration are filled by order-persistence's
-- backfill (Migrations.migrate runs it after Flyway, on every start, so it also covers rows that
-- an instance still on the previous version writes during a rolling upgrade). Until a row is
-- filled, readers rebuild its JSON from the normalized tables, exactly as before.
ALTER TABLE orders ADD COLUMN canonical_json bytea;

-- What the backfill looks for. Empty once every row is filled, so finding "nothing to do" at a
-- start costs one probe of an empty index instead of a scan of every order.
-- [jooq ignore start]
CREATE INDEX orders_canonical_json_missing ON orders (id) WHERE canonical_json IS NULL;
-- [jooq ignore stop]
