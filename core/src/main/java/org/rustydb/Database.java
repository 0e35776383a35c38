package org.rustydb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.BufferPoolOptions;
import org.rustydb.buffer.DirtyPageFlusher;
import org.rustydb.buffer.PoolWarmer;
import org.rustydb.stats.FlusherStats;
import org.rustydb.disk.DiskOptions;
import org.rustydb.io.IoEngine;
import org.rustydb.memory.MemoryManager;
import org.rustydb.memory.MemoryOptions;
import org.rustydb.io.IoEngines;
import org.rustydb.io.IoPriority;
import org.rustydb.io.IoScheduler;
import org.rustydb.stats.IoStats;
import org.rustydb.disk.ControlFile;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DatabaseState;
import org.rustydb.disk.DiskManager;
import org.rustydb.engine.btree.BTree;
import org.rustydb.engine.btree.BTreeResourceManager;
import org.rustydb.engine.heap.HeapResourceManager;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.recovery.Checkpointer;
import org.rustydb.recovery.RecoveryManager;
import org.rustydb.recovery.RecoveryReport;
import org.rustydb.txn.ResourceManagerRegistry;
import org.rustydb.txn.Transaction;
import org.rustydb.txn.TransactionManager;
import org.rustydb.wal.EngineWalFile;
import org.rustydb.wal.WalFile;
import org.rustydb.wal.WalOptions;
import org.rustydb.wal.WalWriter;

/**
 * An open database: the orchestrator that opens the pieces in order and closes them in reverse.
 *
 * <p>{@link #open}: create or open the data directory (its lock keeps other processes out), read the
 * control file and mark it IN_RECOVERY, open the WAL (finding its end), the disk manager and the buffer
 * pool (its write-ahead hook is the WAL's {@code flushUpTo}), run recovery ({@link RecoveryManager}), take
 * a checkpoint (which marks the control file IN_PRODUCTION) and start the background checkpointer thread
 * ({@code rustydb-checkpointer}) and, unless turned off, the dirty page flusher
 * ({@code rustydb-dirty-page-flusher}). {@link #close}: stop those threads, checkpoint, mark CLEAN_SHUTDOWN, close
 * pool, WAL, disk manager and directory. Recovery runs on every open, so transactions left active by a
 * crash or an unclean close are rolled back either way.
 *
 * <p><b>Public API.</b> Tables of keys and values: {@link #createTable}, {@link #openTable},
 * {@link #dropTable}, {@link #listTables}, each a {@link Table} whose operations auto-commit or join an
 * explicit {@link Transaction} from {@link #begin()}; {@link #stats()} snapshots the subsystems' statistics.
 * Heap tables (rows by record id, no keys) are reached through {@link #heapTable}. Names and formats:
 * {@link Catalog}; the whole story: docs/architecture.md, "Public API".
 */
public final class Database implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Database.class.getName());
  /** Dispatches a queued page request needs to rise one I/O priority level (background work still moves). */
  private static final long SCHEDULER_AGING_STEP = 32;

  private final DataDirectory dir;
  private final DatabaseOptions options;
  private final WalWriter wal;
  private final IoEngine io;
  private final DiskManager disk;
  private final BufferPool pool;
  private final MemoryManager memory;
  private final TransactionManager tm;
  private final Checkpointer checkpointer;
  private final Catalog catalog;
  private final RecoveryReport recoveryReport;
  private final Map<String, HeapTable> heaps = new HashMap<>(); // guarded by itself, as are tables and the catalog's changes
  private final Map<String, BTreeTable> tables = new HashMap<>();
  private final ReentrantLock lifeLock = new ReentrantLock();
  private final Condition stop = lifeLock.newCondition();
  private final Thread checkpointThread;
  private final PoolWarmer warmer; // null: nothing to warm
  private final DirtyPageFlusher flusher; // null unless options.backgroundFlush()
  private volatile boolean closed;
  private volatile DatabaseFailedException readOnlyCause; // set once: see turnReadOnly

  private Database(DataDirectory dir, DatabaseOptions options, WalWriter wal, IoEngine io, DiskManager disk,
      BufferPool pool, MemoryManager memory, TransactionManager tm, Checkpointer checkpointer, RecoveryReport report) {
    this.dir = dir;
    this.memory = memory;
    this.options = options;
    this.wal = wal;
    this.io = io;
    this.disk = disk;
    this.pool = pool;
    this.tm = tm;
    this.checkpointer = checkpointer;
    this.recoveryReport = report;
    this.catalog = new Catalog(dir.root());
    this.checkpointThread = options.checkpointInterval().isZero() ? null
        : Thread.ofPlatform().name("rustydb-checkpointer").daemon().unstarted(this::checkpointLoop);
    if (checkpointThread != null) checkpointThread.start();
    this.flusher = startFlusher(pool, options);
    long[] warm = options.warmPool() ? PoolPageList.takeFrom(dir, disk) : new long[0];
    this.warmer = warm.length == 0 ? null : PoolWarmer.start(pool, disk, warm);
  }

  /** The background flusher when {@link DatabaseOptions#backgroundFlush()} asks for one (after recovery). */
  private static DirtyPageFlusher startFlusher(BufferPool pool, DatabaseOptions options) {
    return options.backgroundFlush() ? DirtyPageFlusher.start(pool, options.flusher()) : null;
  }

  /**
   * What the background dirty page flusher has done since open (pages, write operations, writes saved
   * by combining, its current rate); empty when {@link DatabaseOptions#backgroundFlush()} is off.
   */
  public Optional<FlusherStats> flusherStats() {
    return Optional.ofNullable(flusher).map(DirtyPageFlusher::stats);
  }

  /**
   * Opens the database in {@code root}, creating it when the folder does not exist or is empty, and
   * recovers it.
   *
   * @throws CorruptionException when the control file or the log is damaged (the message names the file)
   */
  public static Database open(Path root, DatabaseOptions options) {
    DataDirectory dir = isFresh(root) ? DataDirectory.create(root) : DataDirectory.open(root);
    WalWriter wal = null;
    IoEngine io = null;
    DiskManager disk = null;
    BufferPool pool = null;
    MemoryManager memory = null;
    try {
      ControlFile control = dir.controlFile();
      ControlFile.Contents contents = control.read();
      contents = contents.withState(DatabaseState.IN_RECOVERY);
      control.write(contents);
      io = createIoEngine(options);
      // Priorities (spec): checkpoint page writes HIGH (Checkpointer's scope), other page I/O NORMAL, WAL
      // CRITICAL when it goes through the engine (EngineWalFile.DATABASE_ENGINE; by default it does not).
      IoScheduler scheduler = new IoScheduler(io, options.io().queueDepth(), SCHEDULER_AGING_STEP);
      WalFile.Factory walFiles = options.walFiles() == EngineWalFile.DATABASE_ENGINE
          ? EngineWalFile.factory(scheduler.lane(IoPriority.CRITICAL)) : options.walFiles();
      wal = WalWriter.open(root, WalOptions.builder().segmentSize(options.walSegmentSize())
          .bufferSize(Math.min(WalOptions.defaults().bufferSize(), options.walSegmentSize() / 2))
          .fileFactory(walFiles).build());
      disk = DiskManager.open(dir, DiskOptions.builder().directIo(options.directIo()).build(),
          scheduler.contextLane(IoPriority.NORMAL));
      WalWriter w = wal;
      memory = MemoryManager.open(MemoryOptions.builder().budgetBytes(options.effectiveMemoryBudget()).build());
      pool = new BufferPool(disk, BufferPoolOptions.builder().frames(options.poolFrames())
          .replacer(options.replacer()).walFlushHook(walFlushHook(w)).memoryManager(memory).build());
      // Page I/O reads and writes the frames themselves: with io_uring they become fixed buffers (no per-I/O
      // page pinning by the kernel). False, with one logged notice, where the engine or the limits refuse.
      // Registered frames are pinned by the kernel: giving them back (MADV_DONTNEED) would hide later reads.
      if (io.registerBuffers(pool.frameRegion())) memory.pinFrameRegion(pool.frameRegion(), io.name() + " registered buffers");
      ResourceManagerRegistry rms = new ResourceManagerRegistry();
      rms.register(new HeapResourceManager());
      rms.register(new BTreeResourceManager(pool));
      BufferPool p = pool;
      MemoryManager m = memory;
      long checkpointLsn = contents.checkpointLsn();
      RecoveryManager.Result r = new RecoveryManager(wal, disk, pool, rms, options.recoveryProgress())
          .recover(checkpointLsn, contents.redoStartLsn(),
              firstTxn -> new TransactionManager(w, p, rms, options.durability(), firstTxn, checkpointLsn, m));
      Checkpointer cp = new Checkpointer(r.transactions(), disk, control, contents);
      cp.checkpoint();
      return new Database(dir, options, wal, io, disk, pool, memory, r.transactions(), cp, r.report());
    } catch (RuntimeException | Error e) {
      closeQuietly(pool, e);
      closeQuietly(memory, e);
      closeQuietly(wal, e);
      closeQuietly(disk, e);
      closeQuietly(io, e);
      closeQuietly(dir, e);
      throw e;
    }
  }

  /** The page files' engine: the one {@link DatabaseOptions#io()} asks for, through the test decorator. */
  private static IoEngine createIoEngine(DatabaseOptions options) {
    IoEngine built = IoEngines.create(options.io());
    try {
      return Objects.requireNonNull(options.ioEngineDecorator().apply(built), "ioEngineDecorator returned null");
    } catch (RuntimeException | Error e) {
      closeQuietly(built, e);
      throw e;
    }
  }

  private static boolean isFresh(Path root) {
    if (!Files.exists(root)) return true;
    try (var s = Files.list(root)) {
      return s.allMatch(p -> p.getFileName().toString().equals(DataDirectory.LOCK));
    } catch (java.io.IOException e) {
      return false; // open() reports the real problem
    }
  }

  private static void closeQuietly(AutoCloseable c, Throwable into) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception suppressed) {
      into.addSuppressed(suppressed);
    }
  }

  /**
   * Begins a transaction for {@link Table} operations (and heap tables): commit it, or abort it; closing it
   * uncommitted (try-with-resources) aborts it.
   *
   * @throws ClosedException when the database is closed
   */
  public Transaction begin() {
    checkOpen();
    DatabaseFailedException cause = readOnlyCause;
    if (cause != null) {
      throw new DatabaseFailedException("database " + dir.root() + " is read-only after a failure; reopen it to"
          + " recover: " + cause.getMessage(), cause);
    }
    return tm.begin();
  }

  /**
   * The heap table {@code name}, created (page file {@code table_N.dat}, engine {@code heap} in the catalog)
   * when it does not exist. Heap tables hold rows addressed by record id, not keys, so they are not
   * {@link Table}s; {@link #listTables()} lists them and {@link #dropTable} drops them.
   *
   * @throws IllegalArgumentException for a name outside 1..64 of A-Z a-z 0-9 _ . -
   * @throws OperationFailedException when {@code name} is a table of another engine
   */
  public HeapTable heapTable(String name) {
    checkOpen();
    Catalog.checkName(name);
    synchronized (heaps) {
      HeapTable t = heaps.get(name);
      if (t != null) return t;
      Catalog.Entry entry = catalog.get(name);
      int fileId;
      if (entry == null) {
        String file = newTableFile();
        fileId = disk.createFile(file); // created and synced: durable before the catalog names it
        catalog.add(name, file, EngineKind.HEAP);
      } else if (entry.engine() != EngineKind.HEAP) {
        throw new OperationFailedException("table " + name + " is a " + entry.engine() + " table, not a heap table:"
            + " open it with openTable");
      } else {
        fileId = disk.openFile(entry.file());
      }
      t = HeapTable.open(name, fileId, disk, tm);
      heaps.put(name, t);
      return t;
    }
  }

  /** Takes a checkpoint now; returns its LSN. */
  public long checkpoint() {
    checkOpen();
    try {
      return checkpointer.checkpoint();
    } catch (DatabaseFailedException e) {
      turnReadOnly(e);
      throw e;
    }
  }

  /**
   * After a failure that leaves the files untrustworthy (a page file's fsync failed in a checkpoint), no
   * new transaction begins: what was acknowledged is in the log and comes back on reopen, and nothing new
   * is promised on top of pages that may not be on disk. Reads go on where the files allow them.
   */
  private void turnReadOnly(DatabaseFailedException cause) {
    if (readOnlyCause == null) {
      readOnlyCause = cause;
      LOG.log(System.Logger.Level.ERROR, "database " + dir.root() + " is read-only from now on: " + cause.getMessage());
    }
  }

  /** Page-file I/O statistics of the engine underneath (which engine: {@link #ioEngineName()}). */
  public IoStats ioStats() {
    return io.stats();
  }

  /** The I/O engine the page files run on: io_uring where it works, else the portable one. */
  public String ioEngineName() {
    return io.name();
  }

  /** What recovery did when this database opened. */
  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /** The data directory's root. */
  public Path root() {
    return dir.root();
  }

  /** The options it was opened with. */
  public DatabaseOptions options() {
    return options;
  }

  /** The transaction manager (for engines and tools). */
  public TransactionManager transactions() {
    checkOpen();
    return tm;
  }

  /** Checkpoints taken since open, the one at open included. */
  public long checkpointCount() {
    return checkpointer.count();
  }

  // ------------------------------------------------------------------ tables and statistics (public API)

  /**
   * Creates table {@code name} with {@code options} and returns its handle. A B+tree table gets a new page
   * file {@code base/table_N.dat} (the spec's "File Organization" names a table's own storage
   * {@code table_N.dat} and keeps {@code table_N_idx_*.dat} for secondary indexes; a B+tree table is
   * clustered, its tree is the table), created, formatted and synced before the catalog names it.
   *
   * @throws IllegalArgumentException for a name outside 1..64 of A-Z a-z 0-9 _ . -
   * @throws OperationFailedException when a table of that name exists, or for {@link EngineKind#HEAP},
   *     which has no keys (use {@link #heapTable})
   * @throws ClosedException when the database is closed
   */
  public Table createTable(String name, TableOptions options) {
    checkOpen();
    Catalog.checkName(name);
    java.util.Objects.requireNonNull(options, "options");
    if (options.engine() == EngineKind.HEAP) {
      throw new OperationFailedException("cannot create " + name + " as a HEAP table: heap tables hold rows by"
          + " record id, not keys, so they are not Tables; use heapTable(name) for one");
    }
    synchronized (heaps) {
      if (catalog.get(name) != null) throw new OperationFailedException("table " + name + " already exists");
      String file = newTableFile();
      int fileId = disk.createFile(file);
      BTreeTable t;
      try {
        org.rustydb.engine.btree.BTree tree = org.rustydb.engine.btree.BTree.create(pool, fileId, tm);
        // The tree's first pages reach the file before the catalog names it, so the table opens after a
        // crash whether or not the log can rebuild them.
        for (long p = 1; p < disk.pageCount(fileId); p++) pool.flush(org.rustydb.disk.PageId.of(fileId, p));
        disk.sync(fileId);
        t = new BTreeTable(this, name, fileId, tree);
        catalog.add(name, file, EngineKind.BTREE);
      } catch (RuntimeException | Error e) {
        try {
          pool.dropFile(fileId);
          disk.dropFile(fileId);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      tables.put(name, t);
      return t;
    }
  }

  /**
   * The handle of existing table {@code name} (the same handle on every call until it is dropped).
   *
   * @throws OperationFailedException "no table NAME" when there is none, or when it is a heap table (use
   *     {@link #heapTable})
   * @throws ClosedException when the database is closed
   */
  public Table openTable(String name) {
    checkOpen();
    Catalog.checkName(name);
    synchronized (heaps) {
      BTreeTable t = tables.get(name);
      if (t != null) return t;
      Catalog.Entry entry = catalog.get(name);
      if (entry == null) throw new OperationFailedException("no table " + name + " in " + dir.root());
      if (entry.engine() != EngineKind.BTREE) {
        throw new OperationFailedException("table " + name + " is a " + entry.engine() + " table: open it with"
            + " heapTable(name)");
      }
      int fileId = disk.openFile(entry.file());
      t = new BTreeTable(this, name, fileId, org.rustydb.engine.btree.BTree.open(pool, fileId, tm));
      tables.put(name, t);
      return t;
    }
  }

  /**
   * Drops table {@code name}: waits for its operations in flight, removes it from the catalog (durably),
   * forgets its cached pages, takes a checkpoint (so recovery never replays log records of the deleted file)
   * and deletes its page file (durably). Handles of the table fail afterwards with "table NAME was dropped"
   * (heap tables: with "no open page file").
   *
   * @throws OperationFailedException "no table NAME" when there is none; when a transaction that changed the
   *     table is still active (for a heap table: when any transaction is active); the table is kept then
   * @throws ClosedException when the database is closed
   */
  public void dropTable(String name) {
    checkOpen();
    Catalog.checkName(name);
    synchronized (heaps) {
      Catalog.Entry entry = catalog.get(name);
      if (entry == null) throw new OperationFailedException("no table " + name + " in " + dir.root());
      BTreeTable handle = tables.get(name);
      long stamp = handle == null ? 0 : handle.beginDrop();
      boolean removed = false;
      try {
        if (entry.engine() == EngineKind.HEAP && tm.table().size() > 0) {
          throw new OperationFailedException("cannot drop heap table " + name + " while transactions are active ("
              + tm.table().size() + "): its changes are not tracked per table");
        }
        catalog.remove(name);
        removed = true;
        tables.remove(name);
        heaps.remove(name);
      } finally {
        if (handle != null) handle.endDrop(stamp, removed);
      }
      java.util.OptionalInt fileId = disk.findFile(entry.file());
      if (fileId.isPresent()) {
        pool.dropFile(fileId.getAsInt());
        checkpointer.checkpoint();
        disk.dropFile(fileId.getAsInt());
      }
    }
  }

  /** Every table, sorted by name, with its engine and page file; heap tables included. */
  public java.util.List<TableInfo> listTables() {
    checkOpen();
    return catalog.tables().entrySet().stream()
        .map(e -> new TableInfo(e.getKey(), e.getValue().engine(), e.getValue().file()))
        .toList();
  }

  /**
   * A snapshot of the buffer pool, I/O, WAL and memory statistics (see {@link DatabaseStats} for what each
   * part holds, and which may be null).
   *
   * @throws ClosedException when the database is closed
   */
  public DatabaseStats stats() {
    checkOpen();
    return new DatabaseStats(pool.stats(), io.stats(), io.name(), wal.stats(), memory.stats(), checkpointer.count());
  }

  /** For table handles: throws {@link ClosedException} once the database is closed. */
  void checkUsable() {
    checkOpen();
  }

  /**
   * A page file name {@code table_N.dat} that no catalog entry and no file uses: N one more than the
   * largest in the catalog, then the next free one.
   */
  private String newTableFile() {
    int n = 1;
    for (Catalog.Entry e : catalog.tables().values()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("table_(\\d{1,9})\\.dat").matcher(e.file());
      if (m.matches()) n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
    }
    while (disk.findFile("table_" + n + ".dat").isPresent() || disk.damagedFiles().containsKey("table_" + n + ".dat")) n++;
    return "table_" + n + ".dat";
  }

  private void checkpointLoop() {
    long interval = options.checkpointInterval().toNanos();
    lifeLock.lock();
    try {
      while (!closed) {
        long left = interval;
        while (!closed && left > 0) {
          try {
            left = stop.awaitNanos(left);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) return;
        lifeLock.unlock();
        try {
          checkpointer.checkpoint();
        } catch (DatabaseFailedException e) {
          turnReadOnly(e);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "background checkpoint failed: " + e, e);
        } finally {
          lifeLock.lock();
        }
      }
    } finally {
      lifeLock.unlock();
    }
  }

  /**
   * Checkpoints, marks the control file CLEAN_SHUTDOWN and closes everything. Closing twice is harmless;
   * any other use afterwards throws {@link ClosedException}. Transactions still active are rolled back by
   * the next open's recovery.
   */
  @Override
  public void close() {
    lifeLock.lock();
    try {
      if (closed) return;
      closed = true;
      stop.signalAll();
    } finally {
      lifeLock.unlock();
    }
    RuntimeException failure = null;
    try {
      if (checkpointThread != null) checkpointThread.join(TimeUnit.MINUTES.toMillis(5));
      if (warmer != null) warmer.close();
      if (flusher != null) flusher.close();
      checkpointer.checkpoint();
      checkpointer.setState(DatabaseState.CLEAN_SHUTDOWN);
      if (options.warmPool()) savePoolPages();
    } catch (RuntimeException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = new OperationFailedException("interrupted while closing " + dir.root(), e);
    }
    try {
      io.unregisterBuffers(); // before the pool frees the frames
    } catch (RuntimeException e) {
      if (failure == null) failure = e; else failure.addSuppressed(e);
    }
    for (AutoCloseable c : new AutoCloseable[] {pool, memory, wal, disk, io, dir}) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) failure = e instanceof RuntimeException re ? re : new DatabaseFailedException(e.toString(), e);
        else failure.addSuppressed(e);
      }
    }
    if (failure != null) throw failure;
  }

  /** Whether the page files bypass the OS page cache (for tests). */
  boolean directIo() {
    return disk.directIo();
  }

  /** The write-ahead rule for the pool: page LSNs against the log's durable LSN. */
  private static org.rustydb.buffer.WalFlushHook walFlushHook(WalWriter w) {
    return new org.rustydb.buffer.WalFlushHook() {
      @Override public void flushUpTo(long pageLsn) { w.flushUpTo(pageLsn); }
      @Override public boolean isDurable(long pageLsn) { return w.durableLsn() > pageLsn; }
      @Override public void flushSoon() { w.requestFlush(); }
    };
  }

  /** The pool's warm-up at this open, or null when there was nothing to warm (for tests). */
  PoolWarmer warmer() {
    return warmer;
  }

  /**
   * For the next open's warm-up: the resident pages, and those of this open's list that a close soon after
   * opening kept the warmer from loading (up to the pool's size). A hint, so a failure is only logged.
   */
  private void savePoolPages() {
    long[] resident = pool.residentPageIds();
    long[] pages = resident;
    if (warmer != null) {
      long[] unvisited = warmer.unvisited();
      int room = Math.max(0, pool.capacity() - resident.length);
      pages = java.util.stream.LongStream.concat(java.util.Arrays.stream(resident),
          java.util.Arrays.stream(unvisited).limit(room)).distinct().sorted().toArray();
    }
    try {
      PoolPageList.save(dir, disk, pages);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot record the buffer pool's pages for the next open: " + e);
    }
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("database " + dir.root());
  }
}
