package org.rustydb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.BufferPoolOptions;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.DiskOptions;
import org.rustydb.engine.btree.BTree;
import org.rustydb.engine.btree.BTreeVerifier;
import org.rustydb.page.PageFileVerifier;

/**
 * What {@code rustydb verify} runs: every page of every file ({@link PageFileVerifier}), then the invariants
 * of every B+tree table the catalog names ({@link BTree#verify()}: key order, separator bounds, equal
 * depth, sibling links, cell accounting, overflow chains, free list). Only reads: the trees are walked
 * through a private buffer pool that never writes.
 *
 * <p>The trees are checked as the files hold them. After a crash that is the state before recovery, which
 * may be mid-change; the result then says so ({@link Result#cleanShutdown()} false) and the advice is to
 * open the database once (recovery) and verify again.
 */
public final class DatabaseVerifier {

  private DatabaseVerifier() {}

  /**
   * @param pages the page-level report
   * @param treeProblems problems of the B+tree tables, each prefixed with its table name
   * @param trees B+tree tables checked
   * @param cleanShutdown whether the control file says the database was shut down cleanly
   */
  public record Result(PageFileVerifier.Report pages, List<String> treeProblems, int trees, boolean cleanShutdown) {
    public boolean ok() {
      return pages.ok() && treeProblems.isEmpty();
    }
  }

  /** Verifies the data directory at {@code root}, which must not be open elsewhere. */
  public static Result verify(Path root) {
    try (DataDirectory dir = DataDirectory.open(root);
        DiskManager dm = DiskManager.open(dir, DiskOptions.builder().verifyChecksums(false).build())) {
      PageFileVerifier.Report pages = PageFileVerifier.verify(dir, dm);
      boolean clean = dir.controlFile().read().state() == org.rustydb.disk.DatabaseState.CLEAN_SHUTDOWN;
      List<String> problems = new ArrayList<>();
      int trees = 0;
      try (BufferPool pool = new BufferPool(dm, BufferPoolOptions.builder().frames(256).prefetch(false).build())) {
        for (Map.Entry<String, Catalog.Entry> e : new Catalog(root).tables().entrySet()) {
          if (e.getValue().engine() != EngineKind.BTREE) continue;
          OptionalInt fileId = dm.findFile(e.getValue().file());
          if (fileId.isEmpty()) continue; // a damaged or missing file: the page-level report names it
          trees++;
          try {
            for (BTreeVerifier.Problem p : BTree.open(pool, fileId.getAsInt(), null).verify()) {
              problems.add(e.getKey() + ": " + p);
            }
          } catch (RustyDbException ex) {
            problems.add(e.getKey() + ": " + ex.getMessage());
          }
        }
      }
      return new Result(pages, problems, trees, clean);
    }
  }
}
