package org.rustydb.disk;

/**
 * A page's identity as a plain {@code long}, so that page tables, replacers and the WAL carry no object
 * per page. Static helpers only.
 *
 * <pre>
 *   bit 63        40 39                                   0
 *      +-----------+--------------------------------------+
 *      |  file id  |             page number              |
 *      |  24 bits  |  40 bits (4 PiB of 4 KiB pages)      |
 *      +-----------+--------------------------------------+
 * </pre>
 *
 * File id 0 is reserved (never assigned to a file), so a valid page id is never 0 or negative, and
 * {@link #INVALID} (-1) can mean "no page".
 */
public final class PageId {

  public static final int PAGE_NO_BITS = 40;
  public static final int FILE_ID_BITS = 24;
  public static final long MAX_PAGE_NO = (1L << PAGE_NO_BITS) - 1;
  public static final int MAX_FILE_ID = (1 << FILE_ID_BITS) - 1;
  public static final long INVALID = -1L;

  private PageId() {}

  public static long of(int fileId, long pageNo) {
    if (fileId <= 0 || fileId > MAX_FILE_ID) {
      throw new IllegalArgumentException("file id out of range 1.." + MAX_FILE_ID + ": " + fileId);
    }
    if (pageNo < 0 || pageNo > MAX_PAGE_NO) {
      throw new IllegalArgumentException("page number out of range 0.." + MAX_PAGE_NO + ": " + pageNo);
    }
    return ((long) fileId << PAGE_NO_BITS) | pageNo;
  }

  public static int fileId(long pageId) {
    return (int) (pageId >>> PAGE_NO_BITS);
  }

  public static long pageNo(long pageId) {
    return pageId & MAX_PAGE_NO;
  }

  public static String toString(long pageId) {
    return pageId == INVALID ? "none" : fileId(pageId) + ":" + pageNo(pageId);
  }
}
