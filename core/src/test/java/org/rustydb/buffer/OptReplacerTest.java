package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new OptReplacer(references, capacity);
  }

  @Override
  String name() {
    return "opt";
  }

  private static int faults(long[] refs, int frames) {
    OptReplacer opt = new OptReplacer(refs, frames);
    int faults = 0;
    for (long p : refs) {
      if (opt.contains(p)) {
        opt.recordHit(p);
      } else {
        faults++;
        opt.admit(p, x -> true);
      }
    }
    return faults;
  }

  /** Silberschatz, Galvin and Gagne, Operating System Concepts, the optimal page-replacement example. */
  @Test
  void textbookReferenceStringHasNineFaultsWithThreeFrames() {
    long[] refs = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
    assertThat(faults(refs, 3)).isEqualTo(9);
    assertThat(faults(refs, 4)).isEqualTo(8);
  }

  @Test
  void evictsThePageUsedFurthestInTheFuture() {
    long[] refs = {1, 2, 3, 4, 1, 2, 3};
    OptReplacer opt = new OptReplacer(refs, 3);
    for (int i = 0; i < 3; i++) opt.admit(refs[i], x -> true);
    assertThat(opt.admit(4, x -> true)).isEqualTo(3);
    // with 3 pinned, the next furthest (2) goes
    OptReplacer pinned = new OptReplacer(refs, 3);
    for (int i = 0; i < 3; i++) pinned.admit(refs[i], x -> true);
    assertThat(pinned.admit(4, x -> x != 3)).isEqualTo(2);
  }

  @Test
  void refusesAReferenceOffTheTrace() {
    OptReplacer opt = new OptReplacer(new long[] {1, 2}, 2);
    opt.admit(1, x -> true);
    assertThatThrownBy(() -> opt.admit(3, x -> true)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trace says 2");
  }
}
