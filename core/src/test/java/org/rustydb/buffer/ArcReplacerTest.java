package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArcReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new ArcReplacer(capacity);
  }

  @Override
  String name() {
    return "arc";
  }

  private static final java.util.function.LongPredicate ANY = p -> true;

  private static void assertLists(ArcReplacer arc, int t1, int t2, int b1, int b2, double p) {
    assertThat(arc.sizes()).isEqualTo(new Replacer.ReplacerSizes(t1, t2, b1, b2, 0));
    assertThat(arc.target()).isEqualTo(p);
  }

  /** Worked by hand from the paper's Figure 4, c = 2. */
  @Test
  void followsThePapersCasesStepByStep() {
    ArcReplacer arc = new ArcReplacer(2);
    arc.admit(1, ANY);
    arc.admit(2, ANY); // T1 = [1 2]
    arc.recordHit(1); // case I: T1 = [2], T2 = [1]
    assertLists(arc, 1, 1, 0, 0, 0);
    // case IV-B: |L1| = 1 < c, total = 2 >= c: REPLACE(3, p = 0): |T1| = 1 > p, so T1's LRU (2) goes to B1
    assertThat(arc.admit(3, ANY)).isEqualTo(2);
    assertLists(arc, 1, 1, 1, 0, 0);
    // case II: 2 in B1: delta1 = 1 (|B1| >= |B2|), p = 1; REPLACE(2, 1): |T1| = 1 is not > 1, so T2's LRU (1) goes to B2
    assertThat(arc.admit(2, ANY)).isEqualTo(1);
    assertLists(arc, 1, 1, 0, 1, 1);
    assertThat(arc.contains(2)).isTrue();
    // case III: 1 in B2: delta2 = 1, p = 0; REPLACE(1, 0): |T1| = 1 > 0, so T1's LRU (3) goes to B1; T2 = [2 1]
    assertThat(arc.admit(1, ANY)).isEqualTo(3);
    assertLists(arc, 0, 2, 1, 0, 0);
    // case IV-B: |L1| = 1, total = 3: REPLACE(4, 0): T1 empty, so T2's LRU (2) goes to B2
    assertThat(arc.admit(4, ANY)).isEqualTo(2);
    assertLists(arc, 1, 1, 1, 1, 0);
    // case IV-A: |L1| = 2 = c and |T1| < c: delete B1's LRU (3); REPLACE(5, 0): T1's LRU (4) goes to B1
    assertThat(arc.admit(5, ANY)).isEqualTo(4);
    assertLists(arc, 1, 1, 1, 1, 0);
    assertThat(arc.admit(3, ANY)).as("3's ghost was deleted: a plain miss, case IV").isEqualTo(5);
    assertLists(arc, 1, 1, 1, 1, 0);
  }

  /** Case IV-A with |T1| = c: B1 is empty and T1's LRU page leaves the directory (no ghost). */
  @Test
  void caseFourAWithFullT1DropsThePageWithoutAGhost() {
    ArcReplacer arc = new ArcReplacer(2);
    arc.admit(1, ANY);
    arc.admit(2, ANY);
    assertThat(arc.admit(3, ANY)).isEqualTo(1);
    assertLists(arc, 2, 0, 0, 0, 0);
    assertThat(arc.admit(1, ANY)).as("no ghost of 1: case IV again, not case II").isEqualTo(2);
    assertLists(arc, 2, 0, 0, 0, 0);
  }

  /** delta1 = |B2| / |B1| when B2 is the larger ghost list: p moves by a fraction-valued step. */
  @Test
  void targetIsRealValued() {
    ArcReplacer arc = new ArcReplacer(3);
    for (long p : new long[] {1, 2, 3}) arc.admit(p, ANY);
    for (long p : new long[] {1, 2, 3}) arc.recordHit(p); // T2 = [1 2 3]
    // three new pages push 1, 2 and 3 out of T2 into B2 (p = 0: REPLACE takes T2 while T1 <= p)
    assertThat(arc.admit(4, ANY)).isEqualTo(1); // T1 = [4], B2 = [1]
    assertThat(arc.admit(5, ANY)).isEqualTo(4); // |T1| = 1 > 0: 4 to B1
    assertLists(arc, 1, 2, 1, 1, 0);
    assertThat(arc.admit(6, ANY)).isEqualTo(5); // 5 to B1
    assertLists(arc, 1, 2, 2, 1, 0);
    // B2 hit on 1 with |B1| = 2 > |B2| = 1: delta2 = 2, p = max(0 - 2, 0) = 0; a B1 hit on 4 then
    // sees |B1| = 2 (4, 5 plus 6 evicted) ... checked through the exact fractional step below.
    assertThat(arc.admit(1, ANY)).isEqualTo(6); // REPLACE(1, 0) with x in B2: |T1| = 1 > 0: 6 to B1
    assertLists(arc, 0, 3, 3, 0, 0);
    assertThat(arc.admit(7, ANY)).isEqualTo(2); // case IV-A: |L1| = 3 = c, |T1| = 0 < c: drop B1's LRU (4), T2's LRU (2) to B2
    assertLists(arc, 1, 2, 2, 1, 0);
    // B1 hit on 6 with |B1| = 2 >= |B2| = 1: delta1 = 1, p = 1
    arc.admit(6, ANY);
    assertThat(arc.target()).isEqualTo(1.0);
    // now |B1| and |B2| differ so that a B2 hit moves p by |B1| / |B2|
    Replacer.ReplacerSizes s = arc.sizes();
    double before = arc.target();
    long b2Page = 2; // evicted from T2 above, still a B2 ghost
    if (s.b2() > 0 && s.b1() > s.b2()) {
      arc.admit(b2Page, ANY);
      assertThat(arc.target()).isEqualTo(Math.max(before - (double) s.b1() / s.b2(), 0));
    } else {
      arc.admit(b2Page, ANY);
      assertThat(arc.target()).isEqualTo(Math.max(before - 1, 0));
    }
  }
}
