package org.rustydb.engine.btree;

import static org.rustydb.engine.btree.BTreeNodeLayout.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.rustydb.CorruptionException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.PageId;
import java.util.function.Supplier;
import org.rustydb.page.PageType;

/**
 * Values longer than {@link BTreeNodeLayout#MAX_PACKED_VALUE} (and, from a bulk load, every value too long
 * for the leaf): a chain of OVERFLOW pages.
 */
final class OverflowChain {

  private OverflowChain() {}

  /**
   * Writes {@code value} into pages from {@code allocator} (zeroed and latched), last chunk first, hands
   * each page to {@code written} once it is filled (which logs and releases it: a chain of a 1 MiB value
   * must not pin 257 frames at once), and returns the first page.
   */
  static long write(Supplier<WriteGuard> allocator, byte[] value, java.util.function.Consumer<WriteGuard> written) {
    int chunks = (value.length + OVERFLOW_CAPACITY - 1) / OVERFLOW_CAPACITY;
    long next = -1;
    for (int c = chunks - 1; c >= 0; c--) {
      int off = c * OVERFLOW_CAPACITY;
      int len = Math.min(OVERFLOW_CAPACITY, value.length - off);
      WriteGuard g = allocator.get();
      MemorySegment p = g.segment();
      p.set(BTreeNode.I64, 0, g.pageId());
      p.set(BTreeNode.I32, FLAGS_OFFSET, PageType.OVERFLOW.code() | (ENGINE_ID << 8));
      p.set(BTreeNode.I64, OVERFLOW_NEXT_OFFSET, next);
      p.set(BTreeNode.I32, OVERFLOW_LENGTH_OFFSET, len);
      MemorySegment.copy(value, off, p, ValueLayout.JAVA_BYTE, OVERFLOW_DATA_OFFSET, len);
      next = g.pageId();
      written.accept(g);
    }
    return next;
  }

  /** Reads a value of {@code length} bytes from the chain starting at {@code first}. */
  static byte[] read(BufferPool pool, long first, int length) {
    byte[] out = new byte[length];
    int pos = 0;
    long page = first;
    while (pos < length) {
      if (page == -1) throw corrupt(first, "chain ends after " + pos + " of " + length + " bytes");
      try (ReadGuard g = pool.read(page)) {
        MemorySegment p = g.segment();
        int type = p.get(BTreeNode.I32, FLAGS_OFFSET) & 0xFF;
        int len = p.get(BTreeNode.I32, OVERFLOW_LENGTH_OFFSET);
        if (type != PageType.OVERFLOW.code() || len <= 0 || len > OVERFLOW_CAPACITY || pos + len > length) {
          throw corrupt(page, "bad overflow page (type " + type + ", length " + len + ") at value offset " + pos);
        }
        MemorySegment.copy(p, ValueLayout.JAVA_BYTE, OVERFLOW_DATA_OFFSET, out, pos, len);
        pos += len;
        page = p.get(BTreeNode.I64, OVERFLOW_NEXT_OFFSET);
      }
    }
    return out;
  }

  /** The pages of the chain starting at {@code first}, in order (at most the longest chain's length). */
  static java.util.List<Long> pages(BufferPool pool, long first) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    for (long page = first; page != -1 && out.size() <= MAX_VALUE_SIZE / OVERFLOW_CAPACITY + 1; ) {
      out.add(page);
      try (ReadGuard g = pool.read(page)) {
        int type = g.segment().get(BTreeNode.I32, FLAGS_OFFSET) & 0xFF;
        if (type != PageType.OVERFLOW.code()) throw corrupt(page, "page " + out.size() + " of the chain from "
            + PageId.toString(first) + " has type " + type);
        page = g.getLong(OVERFLOW_NEXT_OFFSET);
      }
    }
    return out;
  }

  private static CorruptionException corrupt(long page, String what) {
    return new CorruptionException("B+tree overflow page " + PageId.toString(page) + ": " + what);
  }
}
