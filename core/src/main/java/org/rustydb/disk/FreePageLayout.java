package org.rustydb.disk;

import java.lang.foreign.MemorySegment;

/**
 * A page on its file's free list. The free list is a chain through the free pages themselves (as in
 * SQLite's freelist or Berkeley DB's free pages): the header page holds the head, each free page the next.
 * Freeing a page costs one page write; reusing one costs one page read.
 *
 * <pre>
 *  offset size  field
 *  ------ ----  -------------------------------------------------------------
 *       0    8  page id           this page's PageId     \
 *       8    8  LSN               0                       | the prefix every page shares
 *      16    4  checksum          CRC32C, see PageCrc     |
 *      20    8  reserved          zero                    | page type (low byte of flags):
 *      28    4  flags             {@link #PAGE_TYPE_CODE}/  PageType.FREE
 *      32    8  magic             "RDBFREEP" (ASCII)
 *      40    8  next free page    page number, 0 = end of the list
 *      48       end of fields; the rest of the page is zero
 * </pre>
 */
public final class FreePageLayout {

  public static final int PAGE_ID = 0;
  public static final int LSN = PAGE_ID + 8;
  public static final int CHECKSUM = LSN + 8;
  public static final int RESERVED = CHECKSUM + 4;
  public static final int FLAGS = RESERVED + 8;
  public static final int MAGIC = FLAGS + 4;
  public static final int NEXT = MAGIC + 8;
  public static final int END = NEXT + 8;

  public static final long MAGIC_VALUE = PageFileHeaderLayout.magic("RDBFREEP");
  /** The page-type code in the flags' low byte: {@code org.rustydb.page.PageType.FREE}. */
  public static final int PAGE_TYPE_CODE = 0;

  private FreePageLayout() {}

  /** Formats {@code page} as free page {@code pageId} whose successor on the list is {@code nextPageNo}. */
  public static void encode(long pageId, long nextPageNo, MemorySegment page) {
    page.asSlice(0, PageFileStore.PAGE_SIZE).fill((byte) 0);
    page.set(Layouts.U64, PAGE_ID, pageId);
    page.set(Layouts.U32, FLAGS, PAGE_TYPE_CODE);
    page.set(Layouts.U64, MAGIC, MAGIC_VALUE);
    page.set(Layouts.U64, NEXT, nextPageNo);
    PageCrc.stamp(page);
  }

  /** Whether the page carries the free-page magic (it may still be damaged: see {@link #problem}). */
  public static boolean looksFree(MemorySegment page) {
    return page.get(Layouts.U64, MAGIC) == MAGIC_VALUE;
  }

  /** What is wrong with {@code page} as free page {@code pageId} of a file of {@code pageCount} pages, or null. */
  public static String problem(MemorySegment page, long pageId, long pageCount) {
    if (!looksFree(page)) return "free-list page has no free-page magic";
    if (!PageCrc.matches(page)) {
      return String.format("free page checksum mismatch (stored %08x, computed %08x)",
          PageCrc.stored(page), PageCrc.compute(page));
    }
    if (page.get(Layouts.U64, PAGE_ID) != pageId) {
      return "free page's id field is " + PageId.toString(page.get(Layouts.U64, PAGE_ID))
          + ", expected " + PageId.toString(pageId);
    }
    long next = next(page);
    if (next < 0 || next >= pageCount) return "free page's next pointer " + next + " is outside the file";
    return null;
  }

  /** The page number of the next free page, 0 at the end. */
  public static long next(MemorySegment page) {
    return page.get(Layouts.U64, NEXT);
  }
}
