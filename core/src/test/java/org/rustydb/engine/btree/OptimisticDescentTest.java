package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rustydb.buffer.BufferPool;

/**
 * Gets and puts descend with validated versions above the leaf ({@link BTree#findLeaf}): a node's child id is
 * trusted only once the node validated, and the leaf only once its parent validated again after the leaf
 * was latched. Each test splits nodes on the reader's path at exactly the point between two of those steps
 * (the tree's test hook), for several target keys: a step left out lands the get in a leaf that no longer
 * holds its key, or the put in one whose range no longer covers it (the tree's invariants break).
 */
class OptimisticDescentTest {

  private static final byte[] VALUE = new byte[8];

  private static byte[] key(long i) {
    return String.format("k%012d", i).getBytes();
  }

  private static BTree loaded(BufferPool pool, int n) {
    BTree t = BTree.create(pool, BTreeTesting.FILE);
    List<Map.Entry<byte[], byte[]>> sorted = new ArrayList<>();
    for (int i = 0; i < n; i++) sorted.add(new AbstractMap.SimpleEntry<>(key(i * 1000L), VALUE));
    t.bulkLoad(sorted.iterator()); // full pages: a few more keys split a leaf and its parent
    return t;
  }

  /** Keys just below {@code key(i * 1000)}: they go to its leaf unless it starts the leaf. */
  private static void insertBelow(BTree t, int i, int count) {
    for (int j = 1; j <= count; j++) t.put(key(i * 1000L - j), VALUE);
  }

  private static void getsSurviveSplitsAt(int n, BTree.Step step, int hookLevel, int inserts) {
    survivesSplitsAt(n, step, hookLevel, inserts, false);
    survivesSplitsAt(n, step, hookLevel, inserts, true);
  }

  /** With {@code put}, the operation under test is a put of a new value (its leaf latched exclusively). */
  private static void survivesSplitsAt(int n, BTree.Step step, int hookLevel, int inserts, boolean put) {
    for (int target = 7; target < n; target += n / 9) {
      try (BufferPool pool = BTreeTesting.pool(4096)) {
        BTree t = loaded(pool, n);
        int height = t.height();
        int i = target;
        boolean[] fired = {false};
        t.optimisticStep = (at, level) -> {
          if (at != step || level != hookLevel || fired[0]) return;
          fired[0] = true;
          t.optimisticStep = null; // the puts below descend too
          insertBelow(t, i, inserts);
        };
        byte[] k = key(i * 1000L);
        String what = String.format("%s at level %d, target %d of %d keys, tree of height %d", step, hookLevel, i, n, height);
        if (put) {
          byte[] v = "new value".getBytes();
          assertThat(t.put(k, v)).as(what + ": put replaces").isFalse();
          assertThat(fired[0]).as("the hook ran").isTrue();
          assertThat(t.verify()).as(what).isEmpty();
          assertThat(t.get(k)).isEqualTo(v);
        } else {
          assertThat(t.get(k)).as(what).isEqualTo(VALUE);
          assertThat(fired[0]).as("the hook ran").isTrue();
          assertThat(t.verify()).isEmpty();
        }
      }
    }
  }

  /**
   * A value replaced (same length, so in place) while a get copies it never comes out half old, half new:
   * two readers against a writer that rewrites one key's 600-byte value with a single repeated byte. Gets
   * latch the leaf; a get that read it optimistically (tried: an optimistic leaf read, validated after the
   * copy) fails this within a few thousand gets if the validation is left out.
   */
  @Test
  void aGetNeverReturnsAValueHalfReplaced() throws Exception {
    try (BufferPool pool = BTreeTesting.pool(4096)) {
      BTree t = loaded(pool, 3_000);
      byte[] k = key(1500 * 1000L + 1);
      t.put(k, filled('a'));
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.List<String> torn = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread[] readers = new Thread[2];
      for (int r = 0; r < readers.length; r++) {
        readers[r] = Thread.ofPlatform().start(() -> {
          while (writing.get() && torn.size() < 5) {
            byte[] v = t.get(k);
            for (byte x : v) {
              if (x != v[0]) {
                torn.add(new String(v, 0, 40) + "...");
                break;
              }
            }
          }
        });
      }
      for (int i = 0; i < 200_000 && torn.isEmpty(); i++) t.put(k, filled((char) ('a' + i % 26)));
      writing.set(false);
      for (Thread r : readers) r.join();
      assertThat(torn).isEmpty();
      assertThat(t.verify()).isEmpty();
    }
  }

  private static byte[] filled(char c) {
    byte[] v = new byte[600];
    java.util.Arrays.fill(v, (byte) c);
    return v;
  }

  /** A leaf split between the parent's validation and the leaf's latch: the parent must validate again. */
  @Test
  void aLeafSplitJustBeforeTheLatchIsSeen() {
    getsSurviveSplitsAt(3_000, BTree.Step.BEFORE_LATCH, 0, 400);
  }

  /**
   * A split of the root (two levels) or of a level-1 node (three) after its parent's validation and before
   * its own version is taken: the parent must validate again after it, or the descent goes on through the
   * node's half that lacks the key.
   */
  @Test
  void aSplitBeforeANodesVersionIsTakenIsSeen() {
    getsSurviveSplitsAt(3_000, BTree.Step.BEFORE_CHILD, 1, 400);
    getsSurviveSplitsAt(200_000, BTree.Step.BEFORE_CHILD, 1, 3_000);
  }

  /**
   * Writers busy on the path at every attempt: after {@link BTree#OPTIMISTIC_ATTEMPTS} failed validations
   * gets and puts latch their way down instead, and still find their key.
   */
  @Test
  void afterFailedAttemptsTheDescentLatches() {
    try (BufferPool pool = BTreeTesting.pool(4096)) {
      BTree t = loaded(pool, 3_000);
      int[] attempts = {0};
      t.optimisticStep = (at, level) -> {
        if (at != BTree.Step.BEFORE_CHILD || level != t.height() - 1) return;
        attempts[0]++;
        pool.write(t.metaPageId()).close(); // a writer passed the meta page: the root's id must be read again
      };
      byte[] k = key(1234 * 1000L);
      assertThat(t.get(k)).isEqualTo(VALUE);
      assertThat(attempts[0]).as("optimistic attempts of the get").isEqualTo(BTree.OPTIMISTIC_ATTEMPTS);
      attempts[0] = 0;
      assertThat(t.put(k, "other".getBytes())).isFalse();
      assertThat(attempts[0]).as("optimistic attempts of the put").isEqualTo(BTree.OPTIMISTIC_ATTEMPTS);
      t.optimisticStep = null;
      assertThat(t.get(k)).isEqualTo("other".getBytes());
      assertThat(t.verify()).isEmpty();
    }
  }

  /**
   * A split of the level-1 node on the path between reading its id from the root and validating the root:
   * without that validation the descent goes on through the old node, now holding half the keys, and
   * validates only nodes that did not change since.
   */
  @Test
  void anInnerSplitBeforeTheNodeValidatesIsSeen() {
    try (BufferPool pool = BTreeTesting.pool(4096)) {
      assertThat(loaded(pool, 200_000).height()).as("the test needs a root above level 1").isGreaterThanOrEqualTo(3);
    }
    getsSurviveSplitsAt(200_000, BTree.Step.CHILD_READ, 2, 3_000);
  }
}
