-- How far each consumer group has read each partition of a topic into this database: the offset of
-- the next record to read. The ingest writes a batch's positions in a transaction of its own once
-- every transaction that stored the batch's orders has committed (a batch is stored by several
-- transactions at once, one per hash group of its orders, so there is no one batch transaction to
-- add them to). A database that has this row has every earlier committed transaction too: a
-- standby replays the WAL in commit order, and a restore ends at one point of it. So the position
-- is never ahead of the orders, whatever copy of the database the service finds after a failover
-- or a restore, and the ingest seeks by it when partitions are assigned to it.
--
-- varchar, not text, for the key's names: the code generator interprets this file with H2, where
-- text is an unindexable CLOB (as V1's order_uid). 249 is Kafka's own limit of a topic's name; a
-- group's name is limited to 255 by the ingest's builder.
CREATE TABLE ingest_positions (
    consumer_group varchar(255) NOT NULL,
    topic          varchar(249) NOT NULL,
    partition      integer      NOT NULL,
    next_offset    bigint       NOT NULL,
    updated_at     timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);
