package dev.orderservice.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How an {@link Order} was paid. Amounts are in the currency's minor units; {@code paymentDt} is a
 * Unix time in seconds.
 */
@JsonPropertyOrder({
  "transaction",
  "request_id",
  "currency",
  "provider",
  "amount",
  "payment_dt",
  "bank",
  "delivery_cost",
  "goods_total",
  "custom_fee"
})
public record Payment(
    @JsonProperty("transaction") String transaction,
    @JsonProperty("request_id") String requestId,
    @JsonProperty("currency") String currency,
    @JsonProperty("provider") String provider,
    @JsonProperty(value = "amount", required = true) int amount,
    @JsonProperty(value = "payment_dt", required = true) long paymentDt,
    @JsonProperty("bank") String bank,
    @JsonProperty(value = "delivery_cost", required = true) int deliveryCost,
    @JsonProperty(value = "goods_total", required = true) int goodsTotal,
    @JsonProperty(value = "custom_fee", required = true) int customFee) {}
