package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MissReadersTest {

  @Test
  void halfThePoolReadsMissesWhenThereAreCoresForThem() {
    assertThat(OrderServer.missReaders(8, 16)).isEqualTo(4);
    assertThat(OrderServer.missReaders(20, 16)).isEqualTo(10);
  }

  @Test
  void thereAreNoMoreReadersThanCores() {
    assertThat(OrderServer.missReaders(8, 2)).isEqualTo(2);
    assertThat(OrderServer.missReaders(64, 4)).isEqualTo(4);
  }

  @Test
  void theSmallestPoolStillHasAReader() {
    assertThat(OrderServer.missReaders(1, 2)).isEqualTo(1);
    assertThat(OrderServer.missReaders(3, 1)).isEqualTo(1);
  }
}
