/**
 * The server's settings: {@link dev.orderservice.server.config.ServerOptions} reads them from flags
 * and environment variables through the shared table of {@code order-settings}, checks every value
 * (a bad one is one line naming the variable, the flag and why) and builds the immutable {@link
 * dev.orderservice.server.config.ServerConfig}, whose {@code toString} never shows a secret.
 */
package dev.orderservice.server.config;
