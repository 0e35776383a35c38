package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgingPriorityQueueTest {

  @Test
  void withoutBacklogTheOrderIsThePriorityOrder() {
    AgingPriorityQueue<String> q = new AgingPriorityQueue<>(1000);
    q.add(IoPriority.LOW, "low");
    q.add(IoPriority.NORMAL, "normal");
    q.add(IoPriority.HIGH, "high");
    q.add(IoPriority.CRITICAL, "wal");
    q.add(IoPriority.CRITICAL, "wal2");
    List<String> order = new ArrayList<>();
    while (!q.isEmpty()) order.add(q.poll());
    assertThat(order).containsExactly("wal", "wal2", "high", "normal", "low");
    assertThat(q.poll()).isNull();
  }

  /** Drives dispatch decisions under a HIGH load that never lets up; returns the dispatch of each LOW. */
  private static List<Integer> lowDispatchesUnderSaturatingHighLoad(long agingStep, int lows, int dispatches) {
    AgingPriorityQueue<String> q = new AgingPriorityQueue<>(agingStep);
    for (int i = 0; i < 50; i++) q.add(IoPriority.HIGH, "high");
    for (int i = 0; i < lows; i++) q.add(IoPriority.LOW, "low");
    List<Integer> lowAt = new ArrayList<>();
    for (int d = 0; d < dispatches; d++) {
      String next = q.poll();
      if (next.equals("low")) lowAt.add(d);
      // Saturation: every dispatch is replaced by two new HIGH requests, so the HIGH queue only grows.
      q.add(IoPriority.HIGH, "high");
      q.add(IoPriority.HIGH, "high");
    }
    return lowAt;
  }

  @Test
  void lowPriorityFinishesUnderASaturatingHighLoad() {
    long step = 8;
    List<Integer> lowAt = lowDispatchesUnderSaturatingHighLoad(step, 10, 2000);
    assertThat(lowAt).hasSize(10);
    // The first LOW is at the head of its queue from the start: it reaches level 0 after 3 steps, then
    // waits only for the older HIGH requests that also reached level 0.
    assertThat(lowAt.getFirst()).isLessThanOrEqualTo((int) (3 * step) + 50);
    for (int i = 1; i < lowAt.size(); i++) {
      assertThat(lowAt.get(i) - lowAt.get(i - 1)).as("gap between LOW dispatches").isLessThanOrEqualTo((int) (3 * step) + 1);
    }
  }

  @Test
  void strictPriorityWouldStarveLowUnderTheSameLoad() {
    assertThat(lowDispatchesUnderSaturatingHighLoad(Long.MAX_VALUE, 10, 2000)).isEmpty();
  }

  @Test
  void criticalIsServedFirstWhenEveryoneIsFresh() {
    AgingPriorityQueue<String> q = new AgingPriorityQueue<>(4);
    for (int i = 0; i < 3; i++) q.add(IoPriority.LOW, "low");
    assertThat(q.poll()).isEqualTo("low"); // the only class present
    q.add(IoPriority.CRITICAL, "wal");
    assertThat(q.poll()).isEqualTo("wal");
    assertThat(q.size()).isEqualTo(2);
    assertThat(q.size(IoPriority.LOW)).isEqualTo(2);
  }
}
