package org.rustydb.page;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.rustydb.CorruptionException;

/**
 * Page changes as byte ranges, so an engine can log any change to a page without a record format per
 * operation: snapshot the page, change it, log the ranges that differ ({@link #diff}). Redo writes the new
 * bytes of each range, undo the old ones; both need the page as it was just before (or after) the change,
 * which page-LSN-guarded redo and in-place undo guarantee. A page that starts from nothing is logged as an
 * {@link #image} instead, which needs no old contents (recovery can rebuild it over a torn copy).
 *
 * <pre>
 *  diff (from the caller's offset)            image (from the caller's offset)
 *  size  field                                size      field
 *     2  range count n                           2      hole start h (the page's longest run of zeros)
 *  then n times:                                 2      hole length z
 *     2  page offset                         4096-z     the page's bytes outside the hole
 *     2  length L
 *     L  bytes
 * </pre>
 * All numbers little-endian. Two changed runs less than {@link #GAP} bytes apart travel as one range: a
 * range header costs 4 bytes.
 */
public final class PageDiff {

  /** Equal bytes that end a range; {@code rangeEnd} compares one long at a time, so it is {@link Long#BYTES}. */
  static final int GAP = Long.BYTES;
  private static final int PAGE = PageLayout.PAGE_SIZE;
  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private PageDiff() {}

  /**
   * The ranges where {@code before} and {@code after} (whole pages) differ, as a redo payload (new bytes)
   * and an undo payload (old bytes), each with {@code header} zero bytes in front for the caller's own
   * fields; null when the pages are equal.
   */
  public static byte[][] diff(byte[] before, byte[] after, int header) {
    return diff(MemorySegment.ofArray(before), MemorySegment.ofArray(after), header);
  }

  /**
   * As {@link #diff(byte[], byte[], int)} for pages held off-heap (a snapshot in a transaction arena, the
   * page in its frame) or on it (the array version wraps its arrays and comes here): the same ranges and
   * payload bytes, without copying either page first.
   *
   * @throws IllegalArgumentException when a segment is not {@value PageLayout#PAGE_SIZE} bytes long
   */
  public static byte[][] diff(MemorySegment before, MemorySegment after, int header) {
    checkPage(before);
    checkPage(after);
    int[] ranges = new int[16];
    int n = 0;
    int bytes = 0;
    int pos = 0;
    while (pos < PAGE) {
      long m = MemorySegment.mismatch(before, pos, PAGE, after, pos, PAGE);
      if (m < 0) break;
      int start = pos + (int) m;
      int end = rangeEnd(before, after, start + 1);
      if (2 * n + 2 > ranges.length) ranges = Arrays.copyOf(ranges, ranges.length * 2);
      ranges[2 * n] = start;
      ranges[2 * n + 1] = end - start;
      n++;
      bytes += end - start;
      pos = end;
    }
    if (n == 0) return null;
    int size = header + 2 + 4 * n + bytes;
    byte[] redo = new byte[size];
    byte[] undo = new byte[size];
    MemorySegment r = MemorySegment.ofArray(redo);
    MemorySegment u = MemorySegment.ofArray(undo);
    r.set(U16, header, (short) n);
    u.set(U16, header, (short) n);
    int at = header + 2;
    for (int k = 0; k < n; k++) {
      int off = ranges[2 * k];
      int len = ranges[2 * k + 1];
      r.set(U16, at, (short) off);
      r.set(U16, at + 2, (short) len);
      u.set(U16, at, (short) off);
      u.set(U16, at + 2, (short) len);
      MemorySegment.copy(after, ValueLayout.JAVA_BYTE, off, redo, at + 4, len);
      MemorySegment.copy(before, ValueLayout.JAVA_BYTE, off, undo, at + 4, len);
      at += 4 + len;
    }
    return new byte[][] {redo, undo};
  }

  /**
   * Where the differing range that reaches {@code end} (exclusive) stops: at the first run of {@value #GAP}
   * equal bytes, or the page end. Compares eight bytes at a time: a changed record is hundreds of dense
   * differing bytes, and a byte-at-a-time loop over segments was most of an update's CPU.
   */
  private static int rangeEnd(MemorySegment before, MemorySegment after, int end) {
    while (end + GAP <= PAGE) {
      long x = before.get(U64, end) ^ after.get(U64, end);
      if (x == 0) return end; // GAP (= 8) equal bytes
      end += 8 - Long.numberOfLeadingZeros(x) / 8; // just past the last differing byte of the word (little-endian)
    }
    int equalRun = 0;
    for (int i = end; i < PAGE && equalRun < GAP; i++) {
      if (before.get(ValueLayout.JAVA_BYTE, i) == after.get(ValueLayout.JAVA_BYTE, i)) {
        equalRun++;
      } else {
        equalRun = 0;
        end = i + 1;
      }
    }
    return end;
  }

  /**
   * Writes the ranges of the diff starting at {@code offset} of {@code payload} into {@code page}.
   *
   * @throws CorruptionException when a range does not fit the page or the payload (a damaged record)
   */
  public static void apply(byte[] payload, int offset, MemorySegment page) {
    MemorySegment p = MemorySegment.ofArray(payload);
    checkRoom(payload, offset, 2);
    int n = Short.toUnsignedInt(p.get(U16, offset));
    int at = offset + 2;
    for (int k = 0; k < n; k++) {
      checkRoom(payload, at, 4);
      int off = Short.toUnsignedInt(p.get(U16, at));
      int len = Short.toUnsignedInt(p.get(U16, at + 2));
      checkRoom(payload, at + 4, len);
      if (off + len > PAGE) throw new CorruptionException("page diff range " + off + "+" + len + " passes the page end");
      MemorySegment.copy(payload, at + 4, page, ValueLayout.JAVA_BYTE, off, len);
      at += 4 + len;
    }
  }

  /** The whole page as an image payload (its longest run of zeros left out), after {@code header} bytes. */
  public static byte[] image(byte[] page, int header) {
    return image(MemorySegment.ofArray(page), header);
  }

  /**
   * As {@link #image(byte[], int)} for a page held off-heap: the same payload bytes.
   *
   * @throws IllegalArgumentException when the segment is not {@value PageLayout#PAGE_SIZE} bytes long
   */
  public static byte[] image(MemorySegment page, int header) {
    checkPage(page);
    int bestStart = 0;
    int bestLen = 0;
    // Eight bytes at a time where that cannot pass a zero run's edge: a word without a zero byte is skipped
    // whole, a zero word extends a run whole (byte by byte, a split's new page took microseconds here).
    for (int i = 0; i < PAGE; ) {
      if (i + Long.BYTES <= PAGE && !hasZeroByte(page.get(U64, i))) {
        i += Long.BYTES;
        continue;
      }
      if (page.get(ValueLayout.JAVA_BYTE, i) != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j + Long.BYTES <= PAGE && page.get(U64, j) == 0) j += Long.BYTES;
      while (j < PAGE && page.get(ValueLayout.JAVA_BYTE, j) == 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen == PAGE) bestLen = PAGE - 1; // the hole length must fit 16 bits: keep one (zero) byte
    byte[] out = new byte[header + 4 + PAGE - bestLen];
    MemorySegment o = MemorySegment.ofArray(out);
    o.set(U16, header, (short) bestStart);
    o.set(U16, header + 2, (short) bestLen);
    MemorySegment.copy(page, ValueLayout.JAVA_BYTE, 0, out, header + 4, bestStart);
    MemorySegment.copy(page, ValueLayout.JAVA_BYTE, bestStart + bestLen, out, header + 4 + bestStart,
        PAGE - bestStart - bestLen);
    return out;
  }

  /** Whether some byte of {@code w} is zero (the borrow of the subtraction reaches its top bit). */
  private static boolean hasZeroByte(long w) {
    return ((w - 0x0101010101010101L) & ~w & 0x8080808080808080L) != 0;
  }

  private static void checkPage(MemorySegment page) {
    if (page.byteSize() != PAGE) {
      throw new IllegalArgumentException("a page is " + PAGE + " bytes, this segment " + page.byteSize());
    }
  }

  /** Writes the image starting at {@code offset} of {@code payload} over the whole of {@code page}. */
  public static void applyImage(byte[] payload, int offset, MemorySegment page) {
    MemorySegment p = MemorySegment.ofArray(payload);
    checkRoom(payload, offset, 4);
    int start = Short.toUnsignedInt(p.get(U16, offset));
    int len = Short.toUnsignedInt(p.get(U16, offset + 2));
    if (start + len > PAGE || payload.length - offset - 4 != PAGE - len) {
      throw new CorruptionException("page image with hole " + start + "+" + len + " and " + (payload.length - offset - 4)
          + " stored bytes does not make a " + PAGE + "-byte page");
    }
    MemorySegment.copy(payload, offset + 4, page, ValueLayout.JAVA_BYTE, 0, start);
    page.asSlice(start, len).fill((byte) 0);
    MemorySegment.copy(payload, offset + 4 + start, page, ValueLayout.JAVA_BYTE, start + len, PAGE - start - len);
  }

  private static void checkRoom(byte[] payload, int at, int need) {
    if (at + need > payload.length) {
      throw new CorruptionException("page diff payload ends at " + payload.length + ", a field needs " + need
          + " bytes at " + at);
    }
  }
}
