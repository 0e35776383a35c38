package org.rustydb.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.rustydb.Database;
import org.rustydb.Table;
import org.rustydb.TableOptions;
import org.rustydb.DatabaseOptions;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The child side of {@code rustydb torture}: runs SYNC transactions until killed. Transaction K inserts
 * rows "K/0/0", "K/1/0", "K/2/0", updates the first to "K/0/1" and deletes the third; a committed K
 * leaves exactly {"K/0/1", "K/1/0"}. It does the same in the B+tree table {@link #TREE} with keys "K/0",
 * "K/1", "K/2" (values as the rows), so a committed K leaves the values {"K/0/1", "K/1/0"} there too. One in five aborts. After commit returns it prints "C K ." on
 * stdout; after abort returns, "A K ." (the dot marks a whole line: a kill can cut the last one).
 */
@Command(name = "torture-worker", hidden = true, mixinStandardHelpOptions = true,
    description = "Internal: the workload process of `rustydb torture`.")
public final class TortureWorkerCommand implements Callable<Integer> {

  /** The B+tree table the workload writes beside the heap table. */
  static final String TREE = "torture_tree";

  @Parameters(index = "0", paramLabel = "DIR") Path dir;

  @Option(names = "--threads", defaultValue = "4") int threads;

  @Option(names = "--cycle", defaultValue = "1") long cycle;

  @Option(names = "--page-cache", defaultValue = "direct") TortureCommand.PageCache pageCache;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Database db = Database.open(dir, DatabaseOptions.builder().poolFrames(64).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ofMillis(200)).directIo(pageCache == TortureCommand.PageCache.direct).build());
    HeapTable t = db.heapTable("torture");
    boolean hasTree = db.listTables().stream().anyMatch(i -> i.name().equals(TREE));
    Table tree = hasTree ? db.openTable(TREE) : db.createTable(TREE, TableOptions.defaults());
    synchronized (out) {
      out.println("ready");
      out.flush();
    }
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int wi = w;
      workers.add(Thread.ofPlatform().name("torture-" + w).start(() -> {
        Random rnd = new Random(cycle * 1000 + wi);
        for (long n = 0; ; n++) {
          long k = cycle * 10_000_000L + wi * 1_000_000L + n;
          Transaction tx = db.begin();
          long r0 = t.insert(tx, (k + "/0/0").getBytes());
          t.insert(tx, (k + "/1/0").getBytes());
          long r2 = t.insert(tx, (k + "/2/0").getBytes());
          t.update(tx, r0, (k + "/0/1").getBytes());
          t.delete(tx, r2);
          tree.put(tx, (k + "/0").getBytes(), (k + "/0/0").getBytes());
          tree.put(tx, (k + "/1").getBytes(), (k + "/1/0").getBytes());
          tree.put(tx, (k + "/2").getBytes(), (k + "/2/0").getBytes());
          tree.put(tx, (k + "/0").getBytes(), (k + "/0/1").getBytes());
          tree.delete(tx, (k + "/2").getBytes());
          boolean abort = rnd.nextInt(5) == 0;
          if (abort) tx.abort(); else tx.commit(Durability.SYNC);
          synchronized (out) {
            out.println((abort ? "A " : "C ") + k + " .");
            out.flush();
          }
        }
      }));
    }
    for (Thread th : workers) th.join();
    return 0;
  }
}
