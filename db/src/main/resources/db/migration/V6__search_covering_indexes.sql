-- The indexes of order searches again, now covering: each holds, beside its keys, every column a
-- search result shows (V5), so a page is one index range read up to its LIMIT with no visit to the
-- table for rows on pages VACUUM has marked all-visible (an index-only scan). They replace V4's,
-- which are dropped once these are built. Built without blocking writes, as V4's, and for the same
-- reasons run without a transaction (V6__...sql.conf), each statement on its own; an index a
-- failed build leaves invalid is rebuilt by Migrations.migrate at the next start.
--
-- Every search reads newest first, by (created_at DESC, id DESC); the cursor's row comparison,
-- (created_at, id) < (?, ?), starts the range.

-- [jooq ignore start]

-- No filter, or only a range of created_at.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_summary
    ON orders (created_at DESC, id DESC)
    INCLUDE (order_uid, track_number, customer_id, date_created, amount, currency, item_count);

-- One track number (also a track number and a customer: one track has few orders, and the
-- customer is compared in the index).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_track_number_summary
    ON orders (track_number, created_at DESC, id DESC)
    INCLUDE (order_uid, customer_id, date_created, amount, currency, item_count);

-- One customer, with or without a range of created_at.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_summary
    ON orders (customer_id, created_at DESC, id DESC)
    INCLUDE (order_uid, track_number, date_created, amount, currency, item_count);

-- What the summary backfill looks for, as orders_created_at_missing for created_at: empty once
-- every row is filled.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_summary_missing
    ON orders (id) WHERE item_count IS NULL;

DROP INDEX CONCURRENTLY IF EXISTS orders_created_at_search;
DROP INDEX CONCURRENTLY IF EXISTS orders_track_number_search;
DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_search;

-- [jooq ignore stop]
