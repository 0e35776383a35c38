package org.rustydb.disk;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Page 0 of every page file: the disk manager's own header page. It names the file's id (which must
 * survive a reopen because page ids and the WAL carry it), how many pages the file has, and the head of
 * its free list. All fields little-endian.
 *
 * <pre>
 *  offset size  field
 *  ------ ----  -----------------------------------------------------------------------------
 *       0    8  page id            PageId.of(fileId, 0)        \
 *       8    8  LSN                always 0                     | the prefix every page shares:
 *      16    4  checksum           CRC32C, see {@link PageCrc}  | id, LSN, checksum at 16..19,
 *      20    8  reserved           zero                         | page type in the low byte
 *      28    4  flags              {@link #PAGE_TYPE_CODE}      /  of flags
 *      32    8  magic              "RDBPAGEF" (ASCII)
 *      40    4  format version     {@link #FORMAT_VERSION}
 *      44    4  kind               1 = data file (base/), 2 = temp file (temp/)
 *      48    4  file id            1 .. 2^24-1
 *      52    4  page size          4096
 *      56    8  page count         pages in use or free, header included (the high-water mark)
 *      64    8  free-list head     page number of the first free page, 0 = none
 *      72    8  free-page count    pages on the free list
 *      80    8  created            milliseconds since the epoch
 *      88       end of fields; the rest of the page is zero
 * </pre>
 *
 * <p>The header is rewritten only by {@code DiskManager.sync} (after the file's other pages are forced),
 * so after a crash it describes the file as of the last sync: allocations since then are forgotten,
 * which the write-ahead log must cover (see docs/architecture.md, "Page files").
 */
public final class PageFileHeaderLayout {

  public static final int PAGE_ID = 0;
  public static final int LSN = PAGE_ID + 8;
  public static final int CHECKSUM = LSN + 8;
  public static final int RESERVED = CHECKSUM + 4;
  public static final int FLAGS = RESERVED + 8;
  public static final int MAGIC = FLAGS + 4;
  public static final int FORMAT = MAGIC + 8;
  public static final int KIND = FORMAT + 4;
  public static final int FILE_ID = KIND + 4;
  public static final int PAGE_SIZE = FILE_ID + 4;
  public static final int PAGE_COUNT = PAGE_SIZE + 4;
  public static final int FREE_HEAD = PAGE_COUNT + 8;
  public static final int FREE_COUNT = FREE_HEAD + 8;
  public static final int CREATED = FREE_COUNT + 8;
  public static final int END = CREATED + 8;

  public static final long MAGIC_VALUE = magic("RDBPAGEF");
  public static final int FORMAT_VERSION = 1;
  /** The page-type code in the flags' low byte: {@code org.rustydb.page.PageType.FILE_HEADER}. */
  public static final int PAGE_TYPE_CODE = 9;

  private PageFileHeaderLayout() {}

  /** The decoded header. */
  public record Header(int fileId, FileKind kind, long pageCount, long freeHead, long freeCount, long createdMillis) {}

  /** Writes {@code h} into {@code page} (4096 bytes, zeroed first) and stamps its checksum. */
  public static void encode(Header h, MemorySegment page) {
    page.asSlice(0, PageFileStore.PAGE_SIZE).fill((byte) 0);
    page.set(Layouts.U64, PAGE_ID, PageId.of(h.fileId(), 0));
    page.set(Layouts.U32, FLAGS, PAGE_TYPE_CODE);
    page.set(Layouts.U64, MAGIC, MAGIC_VALUE);
    page.set(Layouts.U32, FORMAT, FORMAT_VERSION);
    page.set(Layouts.U32, KIND, h.kind().code());
    page.set(Layouts.U32, FILE_ID, h.fileId());
    page.set(Layouts.U32, PAGE_SIZE, PageFileStore.PAGE_SIZE);
    page.set(Layouts.U64, PAGE_COUNT, h.pageCount());
    page.set(Layouts.U64, FREE_HEAD, h.freeHead());
    page.set(Layouts.U64, FREE_COUNT, h.freeCount());
    page.set(Layouts.U64, CREATED, h.createdMillis());
    PageCrc.stamp(page);
  }

  /**
   * What is wrong with {@code page} as a header page, or null when it is a consistent header. Checks the
   * checksum, magic, version, page size, the page id against the file id, and the counts.
   */
  public static String problem(MemorySegment page) {
    if (PageCrc.isAllZero(page)) return "header page is all zero (never written)";
    if (page.get(Layouts.U64, MAGIC) != MAGIC_VALUE) return "header page has no page-file magic";
    if (!PageCrc.matches(page)) {
      return String.format("header checksum mismatch (stored %08x, computed %08x)",
          PageCrc.stored(page), PageCrc.compute(page));
    }
    int version = page.get(Layouts.U32, FORMAT);
    if (version != FORMAT_VERSION) return "unsupported page-file format version " + version;
    int pageSize = page.get(Layouts.U32, PAGE_SIZE);
    if (pageSize != PageFileStore.PAGE_SIZE) return "page size " + pageSize + ", expected 4096";
    if (FileKind.fromCode(page.get(Layouts.U32, KIND)) == null) {
      return "unknown file kind " + page.get(Layouts.U32, KIND);
    }
    int fileId = page.get(Layouts.U32, FILE_ID);
    if (fileId <= 0 || fileId > PageId.MAX_FILE_ID) return "file id out of range: " + fileId;
    if (page.get(Layouts.U64, PAGE_ID) != PageId.of(fileId, 0)) return "header page id does not match file id " + fileId;
    long count = page.get(Layouts.U64, PAGE_COUNT);
    if (count < 1 || count > PageId.MAX_PAGE_NO) return "page count out of range: " + count;
    long head = page.get(Layouts.U64, FREE_HEAD);
    long free = page.get(Layouts.U64, FREE_COUNT);
    if (head < 0 || head >= count) return "free-list head " + head + " outside the file (" + count + " pages)";
    if (free < 0 || free >= count || (head == 0) != (free == 0)) {
      return "free-page count " + free + " inconsistent with head " + head;
    }
    return null;
  }

  /** Decodes a header page; call {@link #problem} first. */
  public static Header decode(MemorySegment page) {
    return new Header(
        page.get(Layouts.U32, FILE_ID),
        FileKind.fromCode(page.get(Layouts.U32, KIND)),
        page.get(Layouts.U64, PAGE_COUNT),
        page.get(Layouts.U64, FREE_HEAD),
        page.get(Layouts.U64, FREE_COUNT),
        page.get(Layouts.U64, CREATED));
  }

  /** An 8-character ASCII tag as a little-endian u64, so that a hex dump shows the text. */
  static long magic(String eight) {
    byte[] b = eight.getBytes(StandardCharsets.US_ASCII);
    if (b.length != 8) throw new IllegalArgumentException("magic needs 8 characters: " + eight);
    long v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | (b[i] & 0xFF);
    return v;
  }
}
