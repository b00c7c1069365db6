/**
 * The live feed: every order any instance stores, as it commits. The database announces stored
 * orders ({@code StoredOrdersListener} in order-persistence); {@link
 * dev.orderservice.server.feed.LiveFeedListener} hands them to {@link
 * dev.orderservice.server.feed.LiveOrders}, which keeps a replay window once for every client;
 * {@link dev.orderservice.server.feed.LiveStream} serves it as Server-Sent Events (each client
 * through a {@link dev.orderservice.server.feed.StreamClient} with a bounded backlog, so that a
 * slow client never slows the ingest) and {@link dev.orderservice.server.feed.LivePolls} as long
 * polls.
 */
package dev.orderservice.server.feed;
