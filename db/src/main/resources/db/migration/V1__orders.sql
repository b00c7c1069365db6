-- The accepted orders: a header row in orders, exactly one row each in delivery and payment, and
-- its items in their original order. Every field of the model is required, so every column is
-- NOT NULL; request_id and internal_signature may be empty strings, which NOT NULL allows.
--
-- Types are chosen so that every value reads back exactly as it was accepted, because GET
-- /orders/{uid} rebuilds the canonical JSON from these columns and must return it byte for byte:
-- strings are text (no length limit to reject what the validator accepted), numbers are integer
-- or bigint exactly as the Java record components are int or long. order_uid alone is
-- varchar(64): the validator's own limit, and an indexable type for the code generator, which
-- interprets this file with H2, where text becomes an unindexable CLOB.
--
-- Children reference orders by order_uid (not by the surrogate id) so that a writer, including
-- a bulk COPY, needs no id from the database before it can write them.

CREATE TABLE orders (
    -- Insertion sequence: recent() reads it newest first, streamAll() oldest first.
    id                 bigint GENERATED ALWAYS AS IDENTITY,
    order_uid          varchar(64) NOT NULL,
    track_number       text        NOT NULL,
    entry              text        NOT NULL,
    locale             text        NOT NULL,
    internal_signature text        NOT NULL,
    customer_id        text        NOT NULL,
    delivery_service   text        NOT NULL,
    shardkey           text        NOT NULL,
    sm_id              integer     NOT NULL,
    -- Text, not timestamptz: timestamptz keeps the instant but not the offset the producer wrote
    -- ("+03:00" would read back as the session's time zone), nor its spelling ("Z" vs "+00:00",
    -- how many fraction digits). Either change would alter the canonical JSON we must return.
    date_created       text        NOT NULL,
    oof_shard          text        NOT NULL,
    -- SHA-256 of the canonical JSON: a repeat of a stored uid is a DUPLICATE when the hashes are
    -- equal and a CONFLICT otherwise, without reading the whole order back.
    content_hash       bytea       NOT NULL,
    stored_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_pk PRIMARY KEY (order_uid),
    CONSTRAINT orders_id_uk UNIQUE (id),
    -- The same rule as the validator's, so no other writer can store a uid the API cannot serve.
    CONSTRAINT orders_uid_format CHECK (order_uid ~ '^[A-Za-z0-9_-]+$'),
    CONSTRAINT orders_content_hash_sha256 CHECK (octet_length(content_hash) = 32)
);

CREATE TABLE delivery (
    order_uid varchar(64) NOT NULL,
    name      text NOT NULL,
    phone     text NOT NULL,
    zip       text NOT NULL,
    city      text NOT NULL,
    address   text NOT NULL,
    region    text NOT NULL,
    email     text NOT NULL,
    CONSTRAINT delivery_pk PRIMARY KEY (order_uid),
    CONSTRAINT delivery_order_fk FOREIGN KEY (order_uid) REFERENCES orders (order_uid) ON DELETE CASCADE
);

CREATE TABLE payment (
    order_uid     varchar(64) NOT NULL,
    transaction   text    NOT NULL,
    request_id    text    NOT NULL,
    currency      text    NOT NULL,
    provider      text    NOT NULL,
    amount        integer NOT NULL,
    -- Unix time in seconds, as sent; a long in the model.
    payment_dt    bigint  NOT NULL,
    bank          text    NOT NULL,
    delivery_cost integer NOT NULL,
    goods_total   integer NOT NULL,
    custom_fee    integer NOT NULL,
    CONSTRAINT payment_pk PRIMARY KEY (order_uid),
    CONSTRAINT payment_order_fk FOREIGN KEY (order_uid) REFERENCES orders (order_uid) ON DELETE CASCADE
);

CREATE TABLE items (
    order_uid    varchar(64) NOT NULL,
    -- 0-based index in the order's items array: items read back in the order they were sent.
    position     integer NOT NULL,
    chrt_id      bigint  NOT NULL,
    track_number text    NOT NULL,
    price        integer NOT NULL,
    rid          text    NOT NULL,
    name         text    NOT NULL,
    sale         integer NOT NULL,
    size         text    NOT NULL,
    total_price  integer NOT NULL,
    nm_id        bigint  NOT NULL,
    brand        text    NOT NULL,
    status       integer NOT NULL,
    -- Also the index for "the items of an order, in position order".
    CONSTRAINT items_pk PRIMARY KEY (order_uid, position),
    CONSTRAINT items_order_fk FOREIGN KEY (order_uid) REFERENCES orders (order_uid) ON DELETE CASCADE,
    CONSTRAINT items_position_non_negative CHECK (position >= 0)
);
