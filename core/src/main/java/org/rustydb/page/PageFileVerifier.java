package org.rustydb.page;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rustydb.RustyDbException;
import org.rustydb.disk.ControlFile;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.DiskOptions;
import org.rustydb.disk.FreePageLayout;
import org.rustydb.disk.PageFileHeaderLayout;
import org.rustydb.disk.PageId;

/**
 * Reads every page of every page file of a data directory through the disk manager and reports each bad
 * page: what {@code rustydb verify} runs. Per page, by what it is:
 *
 * <ul>
 *   <li>page 0, the disk manager's header page: {@link PageFileHeaderLayout#problem};</li>
 *   <li>an all-zero page: allocated and never written, which is fine;</li>
 *   <li>a page with the free-page magic: {@link FreePageLayout#problem}; whether it is on the free list
 *       (walked by {@link DiskManager#freeList}, which reports a broken link, a cycle or a count
 *       mismatch) or not (freed before a crash that forgot it: leaked, harmless);</li>
 *   <li>any other page: the CRC32C ({@link PageChecksum}), the page id field against where the page
 *       sits (a misdirected write), and, for pages that are not an index engine's (owner byte
 *       {@link PageOwner#BTREE}: the tree checks its own), {@link SlottedPage#problem()} (header and slot
 *       consistency).</li>
 * </ul>
 *
 * Files the disk manager could not open (truncated, bad header) and a damaged control file (or copy)
 * are reported too. The verifier only reads.
 */
public final class PageFileVerifier {

  /** One bad thing: a page ({@code pageNo >= 0}) or a whole file ({@code pageNo == -1}). */
  public record Problem(String file, long pageNo, String what) {
    @Override
    public String toString() {
      return pageNo < 0 ? file + ": " + what : file + ": page " + pageNo + ": " + what;
    }
  }

  /**
   * What {@link #verify} found.
   *
   * @param files page files looked at (damaged ones included)
   * @param pages pages read
   * @param dataPages pages that passed the slotted-page checks
   * @param emptyPages all-zero pages (never written)
   * @param freePages pages on free lists, or free-page images left by a crash
   * @param lostFreePages free pages a crash cut off their file's free list (unused until rebuilt; not damage)
   */
  public record Report(int files, long pages, long dataPages, long emptyPages, long freePages, long lostFreePages,
      List<Problem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private PageFileVerifier() {}

  /** Opens the data directory at {@code root} (it must not be open elsewhere), verifies it, and closes it. */
  public static Report verify(Path root) {
    try (DataDirectory dir = DataDirectory.open(root);
        DiskManager dm = DiskManager.open(dir, DiskOptions.builder().verifyChecksums(false).build())) {
      return verify(dir, dm);
    }
  }

  /**
   * Verifies the control file and every page file of {@code dm}; open {@code dm} with
   * {@code verifyChecksums(false)} so that a bad page is reported here instead of failing the read.
   */
  public static Report verify(DataDirectory dir, DiskManager dm) {
    List<Problem> problems = new ArrayList<>();
    checkControlFile(dir, problems);
    for (Map.Entry<String, String> e : dm.damagedFiles().entrySet()) {
      problems.add(new Problem(DataDirectory.BASE + "/" + e.getKey(), -1, e.getValue()));
    }
    long pages = 0;
    long data = 0;
    long empty = 0;
    long free = 0;
    long lost = 0;
    SlottedPage view = new SlottedPage();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment page = arena.allocate(PageLayout.PAGE_SIZE, PageLayout.PAGE_SIZE);
      for (DiskManager.PageFileInfo f : dm.files()) {
        String name = dir.root().relativize(f.path()).toString();
        DiskManager.FreeList freeList = dm.freeList(f.fileId());
        if (freeList.problem() != null) problems.add(new Problem(name, -1, "free list: " + freeList.problem()));
        lost += freeList.lostToCrash();
        Set<Long> onFreeList = new HashSet<>(freeList.pages());
        for (long pageNo = 0; pageNo < f.pageCount(); pageNo++) {
          long pageId = PageId.of(f.fileId(), pageNo);
          try {
            dm.readPage(pageId, page);
          } catch (RustyDbException e) {
            problems.add(new Problem(name, pageNo, e.getMessage()));
            continue;
          }
          pages++;
          String problem;
          if (pageNo == 0) {
            problem = PageFileHeaderLayout.problem(page);
          } else if (PageChecksum.isAllZero(page)) {
            empty++;
            problem = onFreeList.contains(pageNo) ? "on the free list but all zero" : null;
          } else if (FreePageLayout.looksFree(page)) {
            // on the list, or freed before a crash that forgot it (leaked, harmless)
            problem = FreePageLayout.problem(page, pageId, f.pageCount());
            if (problem == null) free++;
          } else if (onFreeList.contains(pageNo)) {
            problem = "on the free list but not a free page";
          } else {
            problem = dataPageProblem(view.wrap(page), pageId);
            if (problem == null) data++;
          }
          if (problem != null) problems.add(new Problem(name, pageNo, problem));
        }
      }
    }
    return new Report(dm.files().size() + dm.damagedFiles().size(), pages, data, empty, free, lost, problems);
  }

  /** What is wrong with a slotted page that should be page {@code pageId}, or null. */
  static String dataPageProblem(SlottedPage p, long pageId) {
    MemorySegment page = p.segment();
    int stored = PageChecksum.stored(page);
    int computed = PageChecksum.compute(page);
    if (stored != computed) {
      return String.format("checksum mismatch (stored %08x at offset %d, computed %08x)",
          stored, PageLayout.CHECKSUM_OFFSET, computed);
    }
    if (p.pageId() != pageId) {
      return "page id field says " + PageId.toString(p.pageId()) + " (a misdirected write?)";
    }
    // A B+tree's pages are not slotted pages: the tree's own verifier checks them (DatabaseVerifier).
    if (p.owner() == PageOwner.BTREE) return null;
    return p.problem();
  }

  private static void checkControlFile(DataDirectory dir, List<Problem> problems) {
    ControlFile cf = dir.controlFile();
    try {
      ControlFile.Loaded loaded = cf.load();
      if (loaded.primaryProblem() != null) problems.add(new Problem(ControlFile.NAME, -1, loaded.primaryProblem()));
      if (loaded.copyProblem() != null) problems.add(new Problem(ControlFile.COPY_NAME, -1, loaded.copyProblem()));
    } catch (RustyDbException e) {
      problems.add(new Problem(ControlFile.NAME, -1, e.getMessage()));
    }
  }
}
