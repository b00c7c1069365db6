package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestThreadsTest {

  @Test
  void halfThePoolReadsMissesWhenThereAreCoresForThem() {
    assertThat(RequestThreads.missReaders(8, 16)).isEqualTo(4);
    assertThat(RequestThreads.missReaders(20, 16)).isEqualTo(10);
  }

  @Test
  void thereAreNoMoreReadersThanCores() {
    assertThat(RequestThreads.missReaders(8, 2)).isEqualTo(2);
    assertThat(RequestThreads.missReaders(64, 4)).isEqualTo(4);
  }

  @Test
  void theSmallestPoolStillHasAReader() {
    assertThat(RequestThreads.missReaders(1, 2)).isEqualTo(1);
    assertThat(RequestThreads.missReaders(3, 1)).isEqualTo(1);
  }

  @Test
  void searchesHoldAQuarterOfThePoolAtMostOnePerCore() {
    assertThat(RequestThreads.searchers(8, 2)).isEqualTo(2);
    assertThat(RequestThreads.searchers(8, 16)).isEqualTo(2);
    assertThat(RequestThreads.searchers(40, 16)).isEqualTo(10);
    assertThat(RequestThreads.searchers(64, 4)).isEqualTo(4);
  }

  @Test
  void theSmallestPoolStillSearches() {
    assertThat(RequestThreads.searchers(2, 2)).isEqualTo(1);
    assertThat(RequestThreads.searchers(3, 1)).isEqualTo(1);
  }

  @Test
  void theSearchesConnectionsComeOutOfThePoolButLeaveTheIngestAndLookupsTheirs() {
    assertThat(RequestThreads.sharedConnections(8, 2)).isEqualTo(6);
    assertThat(RequestThreads.sharedConnections(40, 16)).isEqualTo(30);
    assertThat(RequestThreads.sharedConnections(2, 2)).isEqualTo(2);
    assertThat(RequestThreads.sharedConnections(3, 8)).isEqualTo(2);
  }
}
