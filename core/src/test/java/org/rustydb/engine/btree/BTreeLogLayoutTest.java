package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rustydb.CorruptionException;
import org.rustydb.testing.Seeds;

class BTreeLogLayoutTest {

  private static final byte[] KEY = "user6284781860667377211".getBytes();

  /** Seeded random changes of random values: the patch always gives the old value back from the new one. */
  @Test
  void aPatchTurnsTheNewValueBackIntoTheOld() {
    long seed = Seeds.of("BTreeLogLayoutTest", "btreelog.seed");
    Random r = new Random(seed);
    for (int round = 0; round < 3_000; round++) {
      byte[] old = new byte[1 + r.nextInt(r.nextBoolean() ? 64 : 5_000)];
      r.nextBytes(old);
      if (r.nextBoolean()) Arrays.fill(old, (byte) 0); // runs of equal bytes on both sides
      byte[] now = old.clone();
      for (int c = r.nextInt(6); c > 0; c--) { // a few runs changed, some of them touching or overlapping
        int from = r.nextInt(now.length);
        int to = Math.min(now.length, from + 1 + r.nextInt(r.nextBoolean() ? 4 : 200));
        for (int i = from; i < to; i++) now[i] = (byte) r.nextInt(4); // often equal to the old byte again
      }
      byte[] undo = BTreeLogLayout.undo(KEY, old, now);
      byte[] full = BTreeLogLayout.restore(KEY, old);
      assertThat(undo.length).as("seed %d round %d", seed, round).isLessThanOrEqualTo(full.length);
      assertThat(BTreeLogLayout.restoreKey(undo)).isEqualTo(KEY);
      byte[] back = undo[0] == BTreeLogLayout.OP_RESTORE_PATCH
          ? BTreeLogLayout.patchedValue(undo, now)
          : BTreeLogLayout.restoreValue(undo);
      assertThat(back).as("seed %d round %d", seed, round).isEqualTo(old);
    }
  }

  /** YCSB's update: one 100-byte field of a 1,120-byte record; the undo carries that field, not the record. */
  @Test
  void aSmallChangeOfALargeValueLogsOnlyTheChangedBytes() {
    byte[] old = new byte[1120];
    new Random(7).nextBytes(old);
    byte[] now = old.clone();
    for (int i = 300; i < 400; i++) now[i] = (byte) ~now[i];
    byte[] undo = BTreeLogLayout.undo(KEY, old, now);
    assertThat(undo[0]).isEqualTo(BTreeLogLayout.OP_RESTORE_PATCH);
    assertThat(undo.length).isEqualTo(1 + 2 + KEY.length + 4 + 2 + 8 + 100);
    assertThat(BTreeLogLayout.patchedValue(undo, now)).isEqualTo(old);
  }

  @Test
  void insertsDeletesLengthChangesAndLargeChangesLogTheWholeOldValue() {
    byte[] old = new byte[500];
    new Random(3).nextBytes(old);
    assertThat(BTreeLogLayout.undo(KEY, null, old)).isEqualTo(BTreeLogLayout.restore(KEY, null));
    assertThat(BTreeLogLayout.undo(KEY, old, null)).isEqualTo(BTreeLogLayout.restore(KEY, old));
    assertThat(BTreeLogLayout.undo(KEY, old, new byte[499])).isEqualTo(BTreeLogLayout.restore(KEY, old));
    byte[] inverted = old.clone();
    for (int i = 0; i < inverted.length; i++) inverted[i] = (byte) ~inverted[i];
    assertThat(BTreeLogLayout.undo(KEY, old, inverted)).isEqualTo(BTreeLogLayout.restore(KEY, old));
  }

  @Test
  void aPatchAgainstAValueOfAnotherLengthOrACutRecordIsCorruption() {
    byte[] old = new byte[1000];
    byte[] now = old.clone();
    now[10] = 1;
    byte[] undo = BTreeLogLayout.undo(KEY, old, now);
    assertThat(undo[0]).isEqualTo(BTreeLogLayout.OP_RESTORE_PATCH);
    assertThatThrownBy(() -> BTreeLogLayout.patchedValue(undo, null))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("missing");
    assertThatThrownBy(() -> BTreeLogLayout.patchedValue(undo, new byte[999]))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("999 bytes long");
    byte[] cut = Arrays.copyOf(undo, undo.length - 1);
    assertThatThrownBy(() -> BTreeLogLayout.patchedValue(cut, now))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("cut short");
    byte[] outside = undo.clone();
    outside[1 + 2 + KEY.length + 6 + 3] = 0x7F; // the range's offset's high byte: far past the value's end
    assertThatThrownBy(() -> BTreeLogLayout.patchedValue(outside, now))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("outside a value of 1000");
  }

  /**
   * A rebuild redone on a copy of the page as it was gives the page the change made: entries kept from the
   * node and moved in before or after them, whatever order the node's cells were stored in.
   */
  @Test
  void aRebuildRedoneOnThePageAsItWasGivesThePageTheChangeMade() {
    long seed = Seeds.of("BTreeLogLayoutTest", "btreelog.seed");
    Random r = new Random(seed);
    for (int round = 0; round < 500; round++) {
      java.lang.foreign.MemorySegment page = java.lang.foreign.MemorySegment.ofArray(new byte[4096]);
      BTreeNode node = BTreeNode.init(page, 77, 0);
      int n = 1 + r.nextInt(12);
      byte[][] cells = new byte[n][];
      for (int i = 0; i < n; i++) cells[i] = BTreeNode.leafCell(String.format("k%05d", 10 * i).getBytes(), new byte[r.nextInt(200)]);
      for (int i : shuffled(r, n)) node.insertCell(i < node.count() ? i : node.count(), cells[i]); // stored in any order
      node.rewrite(cells, 0, n); // then in key order, as a node is after its last rebuild
      int from = r.nextInt(n + 1);
      int to = from + r.nextInt(n - from + 1);
      boolean movedFirst = r.nextBoolean();
      int m = r.nextInt(4);
      byte[][] moved = new byte[m][];
      for (int i = 0; i < m; i++) {
        String k = movedFirst ? String.format("a%05d", i) : String.format("z%05d", i);
        moved[i] = BTreeNode.leafCell(k.getBytes(), new byte[r.nextInt(200)]);
      }
      byte[][] all = new byte[to - from + m][];
      System.arraycopy(cells, from, all, movedFirst ? m : 0, to - from);
      System.arraycopy(moved, 0, all, movedFirst ? 0 : to - from, m);
      java.lang.foreign.MemorySegment copy = java.lang.foreign.MemorySegment.ofArray(new byte[4096]);
      copy.copyFrom(page);
      node.rewrite(all, 0, all.length);
      BTreeLogLayout.applyRebuild(BTreeLogLayout.rebuild(from, to, moved, 0, m, movedFirst), copy);
      assertThat(copy.mismatch(page)).as("seed %d round %d", seed, round).isEqualTo(-1L);
    }
  }

  @Test
  void aDamagedRebuildRecordIsCorruption() {
    java.lang.foreign.MemorySegment page = java.lang.foreign.MemorySegment.ofArray(new byte[4096]);
    BTreeNode node = BTreeNode.init(page, 77, 0);
    byte[][] cells = {BTreeNode.leafCell("a".getBytes(), new byte[10]), BTreeNode.leafCell("b".getBytes(), new byte[10])};
    node.rewrite(cells, 0, 2);
    byte[] ok = BTreeLogLayout.rebuild(0, 2, new byte[][] {BTreeNode.leafCell("c".getBytes(), new byte[3000])}, 0, 1, false);
    assertThatThrownBy(() -> BTreeLogLayout.applyRebuild(Arrays.copyOf(ok, 5), page))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("cut short");
    assertThatThrownBy(() -> BTreeLogLayout.applyRebuild(Arrays.copyOf(ok, ok.length - 1), page))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("cut short");
    assertThatThrownBy(() -> BTreeLogLayout.applyRebuild(Arrays.copyOf(ok, ok.length + 1), page))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("holds");
    assertThatThrownBy(() -> BTreeLogLayout.applyRebuild(BTreeLogLayout.rebuild(1, 3, cells, 0, 0, false), page))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("keeps entries 1..3 of a node of 2");
    byte[][] big = {BTreeNode.leafCell("c".getBytes(), new byte[3000]), BTreeNode.leafCell("d".getBytes(), new byte[3000])};
    assertThatThrownBy(() -> BTreeLogLayout.applyRebuild(BTreeLogLayout.rebuild(0, 2, big, 0, 2, false), page))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("do not fit");
    assertThat(node.count()).as("the node is as it was").isEqualTo(2);
  }

  private static int[] shuffled(Random r, int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
