package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchRampTest {

  @Test
  void theFirstBatchIsSmallAndEachNextOneDoublesUpToTheLargest() {
    BatchRamp ramp = new BatchRamp(5_000);

    assertThat(limits(ramp, 6)).containsExactly(500, 1_000, 2_000, 4_000, 5_000, 5_000);
  }

  @Test
  void anAssignmentStartsTheRampAgain() {
    BatchRamp ramp = new BatchRamp(5_000);
    limits(ramp, 3);

    ramp.restart();

    assertThat(limits(ramp, 2)).containsExactly(500, 1_000);
  }

  @Test
  void batchesSmallerThanTheFirstSizeStayAtTheLargestFromTheStart() {
    BatchRamp ramp = new BatchRamp(200);

    assertThat(limits(ramp, 3)).containsExactly(200, 200, 200);
  }

  @Test
  void theLargestBatchIsReachedWithoutOverflowingWhenItIsNearTheLargestInt() {
    BatchRamp ramp = new BatchRamp(Integer.MAX_VALUE);

    List<Integer> limits = limits(ramp, 30);

    assertThat(limits).isSorted().allMatch(limit -> limit > 0);
    assertThat(limits.get(limits.size() - 1)).isEqualTo(Integer.MAX_VALUE);
  }

  private static List<Integer> limits(BatchRamp ramp, int count) {
    List<Integer> limits = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      limits.add(ramp.nextLimit());
    }
    return limits;
  }
}
