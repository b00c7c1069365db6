-- The orders erased since a moment, for a live-feed listener that lost its connection and must
-- drop from its cache what was erased meanwhile. Partial: only erased orders are in it, so the
-- ingest's inserts (erased_at is null) never touch it. Built without blocking writers, as V4's and
-- V6's are, and hidden from the code generator as theirs are (its parser does not know
-- CONCURRENTLY, and the generated code has no use for indexes).
-- [jooq ignore start]
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_erased_at
    ON orders (erased_at) WHERE erased_at IS NOT NULL;
-- [jooq ignore stop]
