package dev.orderservice.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Where and to whom an {@link Order} is delivered. Holds personal data: never log it. */
@JsonPropertyOrder({"name", "phone", "zip", "city", "address", "region", "email"})
public record Delivery(
    @JsonProperty("name") String name,
    @JsonProperty("phone") String phone,
    @JsonProperty("zip") String zip,
    @JsonProperty("city") String city,
    @JsonProperty("address") String address,
    @JsonProperty("region") String region,
    @JsonProperty("email") String email) {}
