-- The indexes of order searches (PostgresOrderStore.search), built without blocking writes: CREATE
-- INDEX CONCURRENTLY lets the store go on inserting while each index is built, however many orders
-- are stored. It cannot run inside a transaction, so this script runs without one (V4__...sql.conf;
-- Flyway would also detect it), each statement on its own. That is also why nothing else is in it.
--
-- A concurrent build that fails (or whose process dies) leaves an INVALID index behind, which IF
-- NOT EXISTS would then skip when the script runs again. Migrations.migrate checks the indexes of
-- orders after Flyway and rebuilds any invalid one concurrently, so a failed build is repaired by
-- the next start.
--
-- Every search reads newest first, by (created_at DESC, id DESC), and each index hands it the rows
-- of one filter already in that order, so a page is one index range read up to its LIMIT, never a
-- sort of every match. The cursor's row comparison, (created_at, id) < (?, ?), starts the range.

-- [jooq ignore start]

-- No filter, or only a range of created_at.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_search
    ON orders (created_at DESC, id DESC);

-- One track number (also a track number and a customer: one track has few orders).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_track_number_search
    ON orders (track_number, created_at DESC, id DESC);

-- One customer.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_search
    ON orders (customer_id, created_at DESC, id DESC);

-- What the created_at backfill looks for, as V2's orders_canonical_json_missing for canonical_json:
-- empty once every row is filled, so finding nothing to do at a start is one probe of an empty
-- index. Built after the backfill of the rows stored so far, so it is small from the start.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_missing
    ON orders (id) WHERE created_at IS NULL;

-- [jooq ignore stop]
