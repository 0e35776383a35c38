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
}
