-- Personal data over its whole life (README "Personal data").
--
-- erased_at: when the order's personal fields (delivery's name, phone, zip, city, address, region
-- and email, and the customer_id) were replaced by markers and a pseudonym; null while the order
-- is as it was accepted. content_hash stays the hash of the order as accepted, so that the same
-- record read again from Kafka or uploaded again is a DUPLICATE that writes nothing, and a record
-- of the uid with other content a CONFLICT, as before the erasure.
ALTER TABLE orders ADD COLUMN erased_at timestamptz;

-- What was done to personal data, and by whom: erasures, exports, retention runs. Never the
-- personal data itself: a customer is named by the pseudonym an erasure would give it.
CREATE TABLE audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY,
    at       timestamptz  NOT NULL DEFAULT now(),
    -- erase_order, erase_customer, export_customer, retention
    action   varchar(32)  NOT NULL,
    -- An order's uid, a customer's pseudonym, or null (a retention run).
    subject  varchar(128),
    -- How many orders the action changed, deleted or exported.
    orders   bigint       NOT NULL,
    -- The route or command that asked, e.g. "POST /customers/{customer_id}/erase", "order-cli erase".
    origin   varchar(128) NOT NULL,
    -- More of what happened, in words, without personal data.
    detail   text,
    CONSTRAINT audit_log_pk PRIMARY KEY (id)
);

-- The key of the customer pseudonyms (HMAC-SHA256): one row, written by the first erasure with
-- 32 random bytes. Whoever holds it can test a guessed customer id against a pseudonym; it is
-- never logged or served.
CREATE TABLE pseudonym_key (
    id  integer NOT NULL,
    key bytea   NOT NULL,
    CONSTRAINT pseudonym_key_pk PRIMARY KEY (id),
    CONSTRAINT pseudonym_key_one_row CHECK (id = 1)
);
