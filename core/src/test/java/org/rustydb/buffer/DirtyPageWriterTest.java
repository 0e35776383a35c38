package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rustydb.testing.Seeds;

class DirtyPageWriterTest {

  @Test
  void kthSmallestAgreesWithSortingOnRandomArraysWithManyTies() {
    long seed = Seeds.of("DirtyPageWriterTest", "dirtywriter.seed");
    Random r = new Random(seed);
    for (int round = 0; round < 2000; round++) {
      int n = 1 + r.nextInt(300);
      int spread = 1 + r.nextInt(round % 3 == 0 ? 4 : 1000); // a few distinct values, or many
      long[] a = new long[n + r.nextInt(5)]; // slack after n must be ignored
      for (int i = 0; i < a.length; i++) a[i] = i < n ? r.nextInt(spread) - spread / 2 : Long.MIN_VALUE;
      long[] sorted = Arrays.copyOf(a, n);
      Arrays.sort(sorted);
      int k = r.nextInt(n);
      assertThat(DirtyPageWriter.kthSmallest(a.clone(), n, k)).as("seed %d round %d n %d k %d", seed, round, n, k)
          .isEqualTo(sorted[k]);
    }
  }

  @Test
  void kthSmallestRefusesAnIndexOutsideTheArray() {
    assertThatThrownBy(() -> DirtyPageWriter.kthSmallest(new long[3], 3, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DirtyPageWriter.kthSmallest(new long[3], 3, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(DirtyPageWriter.kthSmallest(new long[] {7}, 1, 0)).isEqualTo(7);
  }
}
