package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Replacer} keeps, checked against a model set of resident pages. Each
 * implementation's test extends this class. Randomized tests print their seed; rerun one with
 * {@code -Dreplacer.seed=N}.
 */
abstract class ReplacerContractTest {

  /**
   * A new, empty replacer. {@code references} is the exact sequence the test will replay (only
   * {@link OptReplacer} needs it; others ignore it).
   */
  abstract Replacer create(int capacity, long[] references);

  /** The registry name of the policy under test. */
  abstract String name();

  static long seed() {
    String s = System.getProperty("replacer.seed");
    return s != null ? Long.parseLong(s) : new Random().nextLong();
  }

  @Test
  void reportsNameAndCapacityAndStartsEmpty() {
    Replacer r = create(8, new long[0]);
    assertThat(r.name()).isEqualTo(name());
    assertThat(r.capacity()).isEqualTo(8);
    assertThat(r.size()).isZero();
    assertThat(r.contains(1)).isFalse();
    Replacer.ReplacerSizes s = r.sizes();
    assertThat(s.t1() + s.t2() + s.scan()).isZero();
  }

  @Test
  void fillsFreeRoomWithoutEvicting() {
    long[] refs = {10, 11, 12, 13};
    Replacer r = create(4, refs);
    for (long p : refs) {
      assertThat(r.admit(p, page -> {
        throw new AssertionError("asked to evict " + page + " while there is free room");
      })).isEqualTo(Replacer.NONE);
      assertThat(r.contains(p)).isTrue();
    }
    assertThat(r.size()).isEqualTo(4);
    Replacer.ReplacerSizes s = r.sizes();
    assertThat(s.t1() + s.t2() + s.scan()).isEqualTo(4);
  }

  @Test
  void evictsExactlyOneResidentPageWhenFull() {
    long[] refs = {1, 2, 3, 4};
    Replacer r = create(3, refs);
    for (int i = 0; i < 3; i++) r.admit(refs[i], p -> true);
    List<Long> asked = new ArrayList<>();
    long victim = r.admit(4, p -> {
      asked.add(p);
      return true;
    });
    assertThat(asked).containsExactly(victim);
    assertThat(victim).isIn(1L, 2L, 3L);
    assertThat(r.contains(victim)).isFalse();
    assertThat(r.contains(4)).isTrue();
    assertThat(r.size()).isEqualTo(3);
  }

  @Test
  void refusedPagesAreNeverVictimsAndStayResident() {
    long[] refs = {1, 2, 3, 4, 5};
    Replacer r = create(4, refs);
    for (int i = 0; i < 4; i++) r.admit(refs[i], p -> true);
    Set<Long> pinned = Set.of(1L, 2L, 3L);
    long victim = r.admit(5, p -> !pinned.contains(p));
    assertThat(victim).isEqualTo(4L);
    assertThat(r.contains(1) && r.contains(2) && r.contains(3) && r.contains(5)).isTrue();
    assertThat(r.contains(4)).isFalse();
  }

  @Test
  void noRoomWhenEveryCandidateRefusesAndNothingChanges() {
    long[] refs = {1, 2, 3, 4, 4};
    Replacer r = create(3, refs);
    for (int i = 0; i < 3; i++) r.admit(refs[i], p -> true);
    Set<Long> asked = new HashSet<>();
    assertThat(r.admit(4, p -> {
      asked.add(p);
      return false;
    })).isEqualTo(Replacer.NO_ROOM);
    assertThat(asked).isSubsetOf(1L, 2L, 3L).isNotEmpty();
    assertThat(r.contains(4)).isFalse();
    assertThat(r.size()).isEqualTo(3);
    assertThat(r.contains(1) && r.contains(2) && r.contains(3)).isTrue();
    // Once a page is unpinned, the same admission succeeds.
    assertThat(r.admit(4, p -> p == 2)).isEqualTo(2L);
    assertThat(r.contains(4)).isTrue();
  }

  @Test
  void removeDropsAResidentPageAndFreesItsRoom() {
    long[] refs = {1, 2, 3, 4};
    Replacer r = create(3, refs);
    for (int i = 0; i < 3; i++) r.admit(refs[i], p -> true);
    r.remove(2);
    r.remove(99); // unknown: no effect
    assertThat(r.contains(2)).isFalse();
    assertThat(r.size()).isEqualTo(2);
    assertThat(r.admit(4, p -> {
      throw new AssertionError("no eviction needed after a remove");
    })).isEqualTo(Replacer.NONE);
    assertThat(r.size()).isEqualTo(3);
  }

  @Test
  void misuseIsAnIllegalArgument() {
    long[] refs = {1, 1, 2};
    Replacer r = create(2, refs);
    r.admit(1, p -> true);
    assertThatThrownBy(() -> r.admit(1, p -> true)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.recordHit(7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.admit(-5, p -> true)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> create(0, refs)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void capacityOneHoldsTheLastPage() {
    long[] refs = {5, 6, 6, 7};
    Replacer r = create(1, refs);
    assertThat(r.admit(5, p -> true)).isEqualTo(Replacer.NONE);
    assertThat(r.admit(6, p -> true)).isEqualTo(5L);
    r.recordHit(6);
    assertThat(r.admit(7, p -> true)).isEqualTo(6L);
    assertThat(r.size()).isEqualTo(1);
    assertThat(r.contains(7)).isTrue();
  }

  /**
   * Random reference strings (uniform, skewed, sequential runs and loops, so ghost, scan and promotion
   * paths all run), random pins and removals, every step checked against a model of the resident set.
   */
  @Test
  void randomizedSequencesAgreeWithAModelSet() {
    long seed = seed();
    System.out.println(getClass().getSimpleName() + ".randomizedSequencesAgreeWithAModelSet seed=" + seed
        + " (rerun with -Dreplacer.seed=" + seed + ")");
    Random rnd = new Random(seed);
    for (int round = 0; round < 30; round++) {
      int capacity = 1 + rnd.nextInt(round < 10 ? 4 : 40);
      int universe = capacity + 1 + rnd.nextInt(3 * capacity + 2);
      long[] refs = references(rnd, universe, 1500);
      runAgainstModel(rnd, capacity, universe, refs, seed, round);
    }
  }

  private void runAgainstModel(Random rnd, int capacity, int universe, long[] refs, long seed, int round) {
    Replacer r = create(capacity, refs);
    Set<Long> model = new HashSet<>();
    Set<Long> pinned = new HashSet<>();
    String where = "seed " + seed + " round " + round + " capacity " + capacity;
    for (int i = 0; i < refs.length; i++) {
      long page = refs[i];
      String at = where + " step " + i + " page " + page;
      if (rnd.nextInt(10) == 0) {
        // Pin or unpin a random resident page (the pool pins while a guard is open).
        long p = rnd.nextInt(universe);
        if (!pinned.remove(p) && model.contains(p)) pinned.add(p);
      }
      if (model.contains(page)) {
        r.recordHit(page);
      } else {
        long[] accepted = {Long.MIN_VALUE};
        LongPredicate tryEvict = candidate -> {
          assertThat(accepted[0]).as(at + ": asked again after a true answer").isEqualTo(Long.MIN_VALUE);
          assertThat(model).as(at + ": candidate " + candidate + " is resident").contains(candidate);
          if (pinned.contains(candidate)) return false;
          accepted[0] = candidate;
          return true;
        };
        long victim = r.admit(page, tryEvict);
        if (victim == Replacer.NO_ROOM) {
          assertThat(model.size()).as(at).isEqualTo(capacity);
          assertThat(pinned).as(at + ": NO_ROOM only when every resident page is pinned").containsAll(model);
        } else if (victim == Replacer.NONE) {
          assertThat(model.size()).as(at + ": NONE only with free room").isLessThan(capacity);
          model.add(page);
        } else {
          assertThat(victim).as(at + ": victim is the accepted candidate").isEqualTo(accepted[0]);
          assertThat(pinned).as(at + ": pinned pages are never victims").doesNotContain(victim);
          assertThat(model.remove(victim)).as(at + ": victim was resident").isTrue();
          model.add(page);
        }
      }
      if (rnd.nextInt(50) == 0 && !model.isEmpty()) {
        long gone = model.iterator().next();
        r.remove(gone);
        model.remove(gone);
        pinned.remove(gone);
      }
      assertThat(r.size()).as(at + ": size").isEqualTo(model.size()).isLessThanOrEqualTo(capacity);
      if (i % 7 == 0 || i == refs.length - 1) {
        for (long p = 0; p < universe; p++) {
          assertThat(r.contains(p)).as(at + ": contains(" + p + ")").isEqualTo(model.contains(p));
        }
        Replacer.ReplacerSizes s = r.sizes();
        assertThat(s.t1() + s.t2() + s.scan()).as(at + ": resident list sizes").isEqualTo(model.size());
      }
    }
  }

  /** A reference string mixing random, hot-set, sequential and looping phases. */
  static long[] references(Random rnd, int universe, int length) {
    long[] refs = new long[length];
    int i = 0;
    while (i < length) {
      int phase = rnd.nextInt(4);
      int len = 1 + rnd.nextInt(Math.max(2, universe * 2));
      int start = rnd.nextInt(universe);
      int hot = 1 + rnd.nextInt(Math.max(1, universe / 3));
      for (int k = 0; k < len && i < length; k++, i++) {
        refs[i] = switch (phase) {
          case 0 -> rnd.nextInt(universe);
          case 1 -> rnd.nextInt(4) == 0 ? rnd.nextInt(universe) : rnd.nextInt(hot);
          case 2 -> (start + k) % universe;
          default -> (start + k % Math.max(1, universe / 2 + 1)) % universe;
        };
      }
    }
    return refs;
  }
}
