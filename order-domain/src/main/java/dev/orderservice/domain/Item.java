package dev.orderservice.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One line of an {@link Order}. Prices are in the currency's minor units. */
@JsonPropertyOrder({
  "chrt_id",
  "track_number",
  "price",
  "rid",
  "name",
  "sale",
  "size",
  "total_price",
  "nm_id",
  "brand",
  "status"
})
public record Item(
    @JsonProperty(value = "chrt_id", required = true) long chrtId,
    @JsonProperty("track_number") String trackNumber,
    @JsonProperty(value = "price", required = true) int price,
    @JsonProperty("rid") String rid,
    @JsonProperty("name") String name,
    @JsonProperty(value = "sale", required = true) int sale,
    @JsonProperty("size") String size,
    @JsonProperty(value = "total_price", required = true) int totalPrice,
    @JsonProperty(value = "nm_id", required = true) long nmId,
    @JsonProperty("brand") String brand,
    @JsonProperty(value = "status", required = true) int status) {}
