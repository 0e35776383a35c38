package org.rustydb.wal;

import org.rustydb.io.Threads;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.rustydb.ClosedException;
import org.rustydb.DatabaseFailedException;
import org.rustydb.OperationFailedException;
import org.rustydb.stats.WalStats;

/**
 * Appends records to the write-ahead log and makes them durable, with group commit.
 *
 * <h2>Design</h2>
 *
 * <b>Append</b> ({@link #append}) takes a short lock, gives the record its LSN (the byte position at the
 * end of the log) and encodes it, checksum included, straight into the log buffer, a direct
 * {@link ByteBuffer}. No I/O; the cost is a lock and a memory copy. A record that does not fit in the rest
 * of its segment is preceded by a segment-switch record and goes to the next segment (records never span
 * segments: each segment reads on its own, for archiving and for recovery).
 *
 * <p><b>Flush</b> ({@link #flushUpTo}) uses leader/follower group commit without a lock. A caller whose
 * record is not yet durable becomes the leader if no flush is running (a CAS on a flag): it swaps the log
 * buffer for the empty spare (so appends go on), writes the whole buffer to the segment files, fdatasyncs
 * them ({@code FileChannel.force(false)}) and publishes the new {@link #durableLsn()}. Callers arriving
 * while a leader is at work push themselves (LSN and thread) on a lock-free stack and park. After its
 * round the leader takes the stack: it passes the flush directly to the oldest waiter whose record is
 * still not durable and unparks it first (so the next write, holding everything appended during this
 * fsync, starts on the other core at once), then unparks exactly the waiters its fsync covered, each
 * once, as a tree (it wakes a few, each of them wakes a few more); the rest go back on the stack. So N concurrent committers share about one fsync per round, each
 * follower is woken once per commit (no lock hand-over convoy, no thundering herd), and a lone committer
 * pays exactly one write and one fsync with no thread hand-off. Only the flag's holder touches files, so
 * writing and syncing need no further locking.
 *
 * <p><b>Durable LSN.</b> {@link #durableLsn()} is a volatile read: every record that starts before it is
 * on stable storage. The buffer pool calls {@link #flushUpTo}(pageLsn) before writing a dirty page (the
 * write-ahead rule); when the page's LSN is already durable that is one volatile read.
 *
 * <p><b>Write window.</b> The writer writes one buffer, fsyncs, and only then writes again, so at most one
 * buffer's bytes (the write window, recorded in each segment header) are ever written but unsynced. That
 * bounds what a crash can tear, which is how {@link WalReader} tells a torn tail from damage mid-log.
 *
 * <p><b>Failure.</b> A failed write or fsync is never retried: after fsync fails the kernel may have
 * dropped the dirty pages and report success next time (the PostgreSQL "fsyncgate" lesson). The writer
 * turns failed; that call and every later one throws {@link DatabaseFailedException} with the cause.
 * Reopening (recovery) is the way back.
 *
 * <p><b>Segments.</b> Segment files are created full size, zero-filled and synced ahead of use by the
 * {@code rustydb-wal-writer} thread (fdatasync after overwriting a preallocated file is about 3x cheaper
 * here than after growing one), and old segments are renamed into future ones by {@link #recycleBefore}
 * once a checkpoint no longer needs them (and, with archiving on, once archived). The same thread makes
 * {@link Durability#NO_SYNC} commits durable within {@link WalOptions#noSyncFlushInterval()}.
 *
 * <p><b>Reopen.</b> {@link #open} finds the end of the valid log with {@link WalReader#findEnd()}, zeroes
 * the torn tail's write window, and appends after the last valid record.
 */
public final class WalWriter implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WalWriter.class.getName());
  private static final LogRecord SWITCH = new LogRecord.SegmentSwitch();

  private final Path walDir;
  private final WalOptions options;
  private final int segmentSize;
  private final int maxRecordSize;
  private final WalSegments segments;

  // Append side, guarded by appendLock.
  private final ReentrantLock appendLock = new ReentrantLock();
  private final CRC32C appendCrc = new CRC32C();
  private LogBuffer pending;
  private LogBuffer spare;
  private volatile long nextLsn;
  private volatile long lastRecordLsn = Lsn.NULL;

  // Flush side: the thread that set `leading` writes and syncs; the others wait on the `waiters` stack.
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicReference<Waiter> waiters = new AtomicReference<>();
  private volatile long durableLsn;
  /** Open segment files, touched only by the thread holding {@link #leading}. */
  private final TreeMap<Long, WalFile> openFiles = new TreeMap<>();

  private volatile DatabaseFailedException failure;
  private volatile boolean closed;
  private final Object closeLock = new Object();

  private final LongAdder records = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder commits = new LongAdder();
  private final LongAdder syncCommits = new LongAdder();
  private final AtomicLong fsyncs = new AtomicLong();
  private volatile long recycleHorizon = Lsn.NULL;

  private final ReentrantLock backgroundLock = new ReentrantLock();
  private final Condition backgroundWake = backgroundLock.newCondition();
  private boolean backgroundKicked;
  private final Thread backgroundThread;
  private final WalArchiver archiver;

  private WalWriter(Path walDir, WalOptions options, WalSegments segments, long end) {
    this.walDir = walDir;
    this.options = options;
    this.segments = segments;
    this.segmentSize = segments.segmentSize;
    int capacity = segments.writeWindow;
    this.maxRecordSize = Math.min(capacity, segmentSize - SegmentHeaderLayout.SIZE) - LogRecordLayout.SWITCH_SIZE;
    this.pending = new LogBuffer(capacity);
    this.spare = new LogBuffer(capacity);
    this.nextLsn = end;
    this.durableLsn = end;
    this.archiver = options.archiving()
        ? new WalArchiver(segments, options.archiver(), options.archiveRetryInitialDelay(),
            options.archiveRetryMaxDelay(), () -> Lsn.segment(durableLsn, segmentSize), this::recycleQuietly)
        : null;
    this.backgroundThread = Thread.ofPlatform().name("rustydb-wal-writer").daemon().unstarted(this::backgroundLoop);
    backgroundThread.start();
    if (archiver != null) archiver.start();
  }

  /**
   * Opens (or creates) the log in {@code dataDir/wal} (archives in {@code dataDir/archive}), positioned
   * after the last valid record.
   *
   * @throws org.rustydb.CorruptionException when the log is damaged before its end
   * @throws DatabaseFailedException when the files cannot be read or repaired
   */
  public static WalWriter open(Path dataDir, WalOptions options) {
    Path walDir = dataDir.resolve("wal");
    Path archiveDir = dataDir.resolve("archive");
    try {
      Files.createDirectories(walDir);
      if (options.archiving()) Files.createDirectories(archiveDir);
      WalSegments.removeLeftovers(walDir);
      TreeSet<Long> existing = WalReader.listSegments(walDir);
      WalSegments segments;
      long end;
      if (existing.isEmpty()) {
        segments = new WalSegments(walDir, archiveDir, options.fileFactory(), options.segmentSize(),
            options.bufferSize(), options.maxReadySegments(), options.archiving(), 1, 0);
        segments.prepare(1);
        NioWalFile.syncDirectory(dataDir);
        end = Lsn.of(1, SegmentHeaderLayout.SIZE, options.segmentSize());
      } else {
        SegmentHeader first = WalReader.readHeader(walDir.resolve(SegmentNames.name(existing.first())), options.fileFactory());
        if (first.segmentSize() != options.segmentSize() || first.writeWindow() != options.bufferSize()) {
          LOG.log(Level.INFO, "the WAL in {0} has {1}-byte segments and a {2}-byte buffer, fixed when it was created; "
              + "using those, not the {3} and {4} asked for", walDir, first.segmentSize(), first.writeWindow(),
              options.segmentSize(), options.bufferSize());
        }
        try (WalReader r = WalReader.open(walDir, options.fileFactory())) {
          end = r.findEnd();
        }
        segments = new WalSegments(walDir, archiveDir, options.fileFactory(), first.segmentSize(),
            first.writeWindow(), options.maxReadySegments(), options.archiving(), existing.first(), existing.last());
        repairTail(segments, end);
      }
      return new WalWriter(walDir, options, segments, end);
    } catch (IOException e) {
      throw new DatabaseFailedException("cannot open the WAL in " + walDir + ": " + e, e);
    }
  }

  /**
   * Zeroes the write window after the end of the valid log (what a crash may have half-written) and the
   * first write window of the next segment, and re-extends a segment file cut short, so no record of the
   * lost tail can ever be read again once new records are appended over it.
   */
  private static void repairTail(WalSegments segments, long end) throws IOException {
    int size = segments.segmentSize;
    long s = Lsn.segment(end, size);
    int off = Lsn.offset(end, size);
    segments.prepare(s);
    zero(segments, s, off, (int) Math.min(size, (long) off + segments.writeWindow));
    // The reader tolerates valid records in the first W bytes of the next segment (the torn write may
    // have reached there); left in place, the log could later run into them at a matching boundary.
    if (Files.exists(segments.path(s + 1))) {
      zero(segments, s + 1, SegmentHeaderLayout.SIZE, (int) Math.min(size, SegmentHeaderLayout.SIZE + (long) segments.writeWindow));
    }
  }

  private static void zero(WalSegments segments, long s, int from, int to) throws IOException {
    Path file = segments.path(s);
    try (WalFile f = segments.files.open(file, false)) {
      long fileSize = f.size();
      if (fileSize < segments.segmentSize) {
        to = segments.segmentSize;
      } else {
        ByteBuffer old = ByteBuffer.allocate(to - from);
        f.read(old, from);
        old.flip();
        if (old.mismatch(ByteBuffer.allocate(old.remaining())) < 0) return; // already zero
      }
      LOG.log(Level.INFO, "zeroing the torn WAL tail in {0} at offsets {1}..{2}", file, from, to);
      f.write(ByteBuffer.allocate(to - from), from);
      f.force();
    }
  }

  /** The data directory's log directory. */
  public Path walDir() {
    return walDir;
  }

  public int segmentSize() {
    return segmentSize;
  }

  /** The largest record {@link #append} takes, header included. */
  public int maxRecordSize() {
    return maxRecordSize;
  }

  /** Where the next record will go: the end of the appended log. */
  public long currentLsn() {
    return nextLsn;
  }

  /** Every record that starts before this LSN is on stable storage. Lock-free. */
  public long durableLsn() {
    return durableLsn;
  }

  /**
   * Appends {@code record} to the log buffer and returns its LSN. Cheap and thread-safe; the record is
   * durable only after {@link #flushUpTo}(lsn) or a {@link Durability#SYNC} {@link #commit}. Blocks (and
   * may write and sync) only when the buffer is full.
   *
   * <p>The append that fills half of the buffer asks the writer thread to write it out: the writer swaps in
   * the spare buffer, so appends go on while it writes and syncs. Without that, a stream of NO_SYNC
   * commits filled the buffer between the writer's timed rounds, and the appender that found it full wrote
   * and synced it itself, often while it held page latches (in a B+tree split) that other threads then
   * waited for (an insert-only YCSB run's p99 latency: 973 us before this, 302 us after).
   *
   * @throws IllegalArgumentException for a segment-switch record (the writer's own) or one larger than
   *     {@link #maxRecordSize()}
   */
  public long append(LogRecord record) {
    if (record instanceof LogRecord.SegmentSwitch) {
      throw new IllegalArgumentException("segment-switch records are written by the log writer only");
    }
    int size = LogRecordCodec.size(record);
    if (size > maxRecordSize) {
      throw new IllegalArgumentException(record.type() + " record of " + size + " bytes exceeds the largest the log takes ("
          + maxRecordSize + " bytes: the buffer size and the segment size bound it)");
    }
    while (true) {
      checkUsable();
      long flushTo;
      boolean requestWrite = false;
      appendLock.lock();
      try {
        long lsn = nextLsn;
        int remain = segmentSize - Lsn.offset(lsn, segmentSize);
        int switchSize = (size == remain || size + LogRecordLayout.SWITCH_SIZE <= remain) ? 0 : LogRecordLayout.SWITCH_SIZE;
        if (pending.remaining() >= size + switchSize) {
          if (switchSize > 0) {
            LogRecordCodec.encode(SWITCH, pending.bytes, pending.reserve(lsn, switchSize), lsn, appendCrc);
            records.increment();
            bytes.add(switchSize);
            lsn = (Lsn.segment(lsn, segmentSize) + 1) * segmentSize + SegmentHeaderLayout.SIZE;
          }
          LogRecordCodec.encode(record, pending.bytes, pending.reserve(lsn, size), lsn, appendCrc);
          long end = lsn + size;
          // A segment filled exactly: the next record goes to the next segment's first position.
          nextLsn = Lsn.offset(end, segmentSize) == 0 ? end + SegmentHeaderLayout.SIZE : end;
          lastRecordLsn = lsn;
          records.increment();
          bytes.add(size);
          if (!pending.writeRequested && pending.halfFull()) requestWrite = pending.writeRequested = true;
          return lsn;
        }
        flushTo = lastRecordLsn;
      } finally {
        appendLock.unlock();
        if (requestWrite) kickBackground();
      }
      flushUpTo(flushTo); // the buffer is full: write and sync it, then try again
    }
  }

  /**
   * Appends a commit (or any) record and, for {@link Durability#SYNC}, returns only once it is durable,
   * sharing the fsync with concurrent committers.
   */
  public long commit(LogRecord record, Durability durability) {
    long lsn = append(record);
    commits.increment();
    if (durability == Durability.SYNC) {
      syncCommits.increment();
      flushUpTo(lsn);
    }
    return lsn;
  }

  /** {@link Durability#SYNC}: {@link #flushUpTo}; {@link Durability#NO_SYNC}: the writer thread will, soon. */
  public void flush(long lsn, Durability durability) {
    if (durability == Durability.SYNC) {
      flushUpTo(lsn);
    } else {
      checkUsable();
    }
  }

  /** Makes everything appended so far durable. */
  public void flushAll() {
    long last = lastRecordLsn;
    if (last != Lsn.NULL) flushUpTo(last);
  }

  /**
   * Returns once the record at {@code lsn} (and every record before it) is on stable storage.
   *
   * @throws IllegalArgumentException when nothing was appended at {@code lsn} yet
   * @throws DatabaseFailedException when a write or fsync failed, now or earlier
   */
  public void flushUpTo(long lsn) {
    if (durableLsn > lsn) return;
    checkUsable();
    if (lsn >= nextLsn) {
      throw new IllegalArgumentException("LSN " + Lsn.toString(lsn) + " is not appended yet (end of log "
          + Lsn.toString(nextLsn) + ")");
    }
    Waiter w = null;
    while (true) {
      if (w != null) {
        int s = w.state;
        if (s == Waiter.LEAD) { // the previous leader handed the flush to this thread
          w = null;
          lead();
          continue;
        }
        if (s == Waiter.DONE) { // woken by a leader (or a fellow waiter): pass the wake-up on, then look
          w.wakeOthers();
          w = null;
          continue;
        }
      }
      if (durableLsn > lsn || failure != null || closed) {
        if (w == null || w.leave()) {
          if (durableLsn > lsn) return;
          checkUsable(); // failed or closed: throws
        }
        continue; // a leader marked it meanwhile: DONE, or LEAD
      }
      if (w == null) {
        if (leading.compareAndSet(false, true)) { // no flush running: this thread leads one
          lead();
          continue;
        }
        // Register, then look again before parking: a leader that releases the flush after the push sees
        // the waiter when it looks at the stack after releasing; one still working wakes it when done.
        w = new Waiter(lsn, Thread.currentThread());
        push(w, w);
        continue;
      }
      if (w.state == Waiter.WAITING && leading.compareAndSet(false, true)) {
        if (w.leave()) {
          w = null;
          lead();
        } else {
          handOff(); // a leader marked it DONE just before releasing: give back the flush just taken
        }
        continue;
      }
      LockSupport.park(this);
    }
  }

  /**
   * One flush round by the thread holding {@link #leading}: writes and syncs what is pending, publishes
   * the durable LSN, then {@link #handOff}s. (Leading up to 4 rounds in a row before handing on, which
   * saves a wake-up between fsyncs, measured slower: at 8 threads about half the commits per second.)
   * Never throws: a failure is recorded and every waiter woken to see it.
   */
  private void lead() {
    if (failure == null && !closed) {
      try {
        long end = writeOut();
        if (end > durableLsn) durableLsn = end;
      } catch (Throwable t) {
        fail(t);
      }
    }
    handOff();
  }

  /**
   * Called by the thread holding {@link #leading} after a round. Takes the waiters and marks those whose
   * records are durable DONE (all of them after a failure or close); of the others, still waiting, the
   * oldest leads the next round and is woken first; the rest go back on the stack. The DONE waiters are
   * woken as a tree ({@link Waiter#wake}): this thread wakes a few, each of which wakes a few more, so the
   * wake-ups run on both cores. With nobody left waiting the flush is
   * released, and the stack looked at once more so a waiter that registered meanwhile is never stranded.
   */
  private void handOff() {
    while (true) {
      Waiter list = waiters.getAndSet(null);
      long durable = durableLsn;
      boolean wakeAll = failure != null || closed;
      Waiter keepHead = null; // still waiting, oldest first (the stack holds the newest on top)
      Waiter keepTail = null;
      Waiter done = null;
      for (Waiter w = list, following; w != null; w = following) {
        following = w.next;
        w.next = null;
        if (wakeAll || durable > w.lsn) {
          if (w.finish()) { // (it fails for one that left on its own)
            w.next = done;
            done = w;
          }
        } else if (w.state == Waiter.WAITING) {
          w.next = keepHead;
          keepHead = w;
          if (keepTail == null) keepTail = w;
        }
      }
      Waiter next = null;
      while (next == null && keepHead != null) {
        Waiter w = keepHead;
        keepHead = w.next;
        w.next = null;
        if (w.tryLead()) next = w; // (it fails only for one that left on its own meanwhile)
      }
      if (keepHead != null) push(keepHead, keepTail);
      if (next != null) {
        LockSupport.unpark(next.thread); // leadership passes with `leading` still set
      } else {
        leading.set(false);
      }
      Waiter.wake(done);
      if (next != null || waiters.get() == null || !leading.compareAndSet(false, true)) return;
    }
  }

  private void push(Waiter head, Waiter tail) {
    while (true) {
      Waiter h = waiters.get();
      tail.next = h;
      if (waiters.compareAndSet(h, head)) return;
    }
  }

  /**
   * A thread waiting for its record to become durable. Its state moves once from WAITING: to DONE or LEAD
   * by a leader, or to GONE by the thread itself when it saw its record durable on its own. A DONE waiter
   * is handed a chain of other DONE waiters to wake in turn before it returns.
   */
  private static final class Waiter {
    static final int WAITING = 0, DONE = 1, LEAD = 2, GONE = 3;
    /** The chain of a waiter that has nobody else to wake. */
    private static final Waiter NONE = new Waiter(0, null);
    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final long lsn;
    final Thread thread;
    volatile int state;
    Waiter next; // stack or chain link, written before the CAS or volatile write that publishes it
    /** Set (once, after DONE) to the waiters this one wakes next: null until then, {@link #NONE} if none. */
    volatile Waiter chain;

    Waiter(long lsn, Thread thread) {
      this.lsn = lsn;
      this.thread = thread;
    }

    boolean leave() {
      return STATE.compareAndSet(this, WAITING, GONE);
    }

    boolean finish() {
      return STATE.compareAndSet(this, WAITING, DONE);
    }

    boolean tryLead() {
      return STATE.compareAndSet(this, WAITING, LEAD);
    }

    /** For a DONE waiter: waits for its chain (it may have woken early, spuriously) and wakes it. */
    void wakeOthers() {
      Waiter c;
      while ((c = chain) == null) LockSupport.park(this);
      wake(c == NONE ? null : c);
    }

    /**
     * Wakes the DONE waiters linked from {@code list}: the first gets the first half of the rest as its
     * chain and is unparked, and so on with the second half, so n waiters take about log2(n) steps.
     */
    static void wake(Waiter list) {
      int n = 0;
      for (Waiter w = list; w != null; w = w.next) n++;
      while (list != null) {
        Waiter head = list;
        int give = (n - 1) / 2;
        Waiter rest = head.next;
        head.next = null;
        Waiter firstHalf = give == 0 ? null : rest;
        for (int i = 1; i < give; i++) rest = rest.next;
        if (give > 0) {
          Waiter cut = rest;
          rest = cut.next;
          cut.next = null;
        }
        list = rest;
        n -= give + 1;
        head.chain = firstHalf == null ? NONE : firstHalf;
        LockSupport.unpark(head.thread);
      }
    }
  }

  /** The leader's round: swap buffers, write, fsync. Returns the new durable LSN. */
  private long writeOut() throws IOException {
    LogBuffer b;
    appendLock.lock();
    try {
      b = pending;
      pending = spare;
      spare = b;
    } finally {
      appendLock.unlock();
    }
    if (b.isEmpty()) return durableLsn;
    long firstSeg = Lsn.segment(b.runLsn(0), segmentSize);
    long lastSeg = firstSeg;
    for (int i = 0; i < b.runs(); i++) {
      long lsn = b.runLsn(i);
      long seg = Lsn.segment(lsn, segmentSize);
      lastSeg = seg;
      file(seg).write(b.bytes.slice(b.runStart(i), b.runEnd(i) - b.runStart(i)), Lsn.offset(lsn, segmentSize));
    }
    for (long seg = firstSeg; seg <= lastSeg; seg++) {
      WalFile f = openFiles.get(seg);
      if (f != null) {
        f.force();
        fsyncs.incrementAndGet();
      }
    }
    long end = b.endLsn();
    b.clear();
    if (lastSeg > firstSeg || Lsn.offset(end, segmentSize) == 0) {
      closeFilesBefore(Lsn.segment(end, segmentSize));
      kickBackground();
      if (archiver != null) archiver.kick();
    }
    return end;
  }

  private WalFile file(long seg) throws IOException {
    WalFile f = openFiles.get(seg);
    if (f == null) {
      segments.prepare(seg);
      f = options.fileFactory().open(segments.path(seg), false);
      openFiles.put(seg, f);
    }
    return f;
  }

  private void closeFilesBefore(long seg) {
    for (Iterator<Map.Entry<Long, WalFile>> it = openFiles.headMap(seg).entrySet().iterator(); it.hasNext(); ) {
      closeQuietly(it.next().getValue());
      it.remove();
    }
  }

  /**
   * Lets the segments wholly before {@code lsn} go: a checkpoint says recovery will never read them.
   * They are renamed into future segments (or deleted if enough are ready), oldest first; with archiving
   * on, only once archived (the archiver recycles them after archiving). The segment holding the durable
   * end of the log is never touched.
   */
  public void recycleBefore(long lsn) {
    checkUsable();
    synchronized (this) {
      if (lsn > recycleHorizon) recycleHorizon = lsn;
    }
    try {
      recycle();
    } catch (IOException e) {
      throw new OperationFailedException("cannot recycle WAL segments in " + walDir + ": " + e, e);
    }
  }

  private void recycle() throws IOException {
    long horizon = recycleHorizon;
    if (horizon == Lsn.NULL) return;
    segments.recycleBefore(Lsn.segment(horizon, segmentSize), Lsn.segment(durableLsn, segmentSize));
  }

  private void recycleQuietly() {
    try {
      recycle();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "recycling WAL segments in " + walDir + " failed; will try again: " + e, e);
    }
  }

  /** A snapshot of the counters. */
  public WalStats stats() {
    long f = fsyncs.get();
    long sync = syncCommits.sum();
    return new WalStats(records.sum(), bytes.sum(), f, commits.sum(), sync, f == 0 ? 0 : (double) sync / f,
        segments.created.get(), segments.recycled.get(), segments.removed.get(),
        archiver == null ? 0 : archiver.archived.get(), archiver == null ? 0 : archiver.failures.get(),
        nextLsn, durableLsn);
  }

  /** The oldest segment still in {@code wal/}. */
  public long oldestSegment() {
    return segments.oldest();
  }

  /**
   * Makes everything appended durable, stops the writer and archiver threads and closes the files.
   * Closing twice is harmless. A writer that failed closes without writing.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) return;
      try {
        if (failure == null) flushAll();
      } finally {
        closed = true;
        kickBackground();
        Threads.joinUninterruptibly(backgroundThread);
        if (archiver != null) archiver.stop();
        // Take the flush (a round in progress finishes first; later ones see `closed` and write nothing),
        // close the files, then release it, waking any waiter to see the log closed.
        while (!leading.compareAndSet(false, true)) LockSupport.parkNanos(100_000);
        try {
          closeFilesBefore(Long.MAX_VALUE);
        } finally {
          handOff();
        }
      }
    }
  }

  /** The named background thread: NO_SYNC commits made durable on time, segments prepared ahead. */
  private void backgroundLoop() {
    long interval = options.noSyncFlushInterval().toNanos();
    while (!closed && failure == null) {
      backgroundLock.lock();
      try {
        long left = interval;
        while (!backgroundKicked && !closed && left > 0) {
          left = backgroundWake.awaitNanos(left);
        }
        backgroundKicked = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        backgroundLock.unlock();
      }
      if (closed) return;
      try {
        long last = lastRecordLsn;
        if (last != Lsn.NULL && durableLsn <= last) flushUpTo(last);
        long current = Lsn.segment(nextLsn, segmentSize);
        for (long s = current + 1; s <= current + options.minReadySegments() && !closed; s++) {
          segments.prepare(s);
        }
      } catch (DatabaseFailedException | ClosedException e) {
        return; // reported where it happened
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "preparing WAL segments ahead in " + walDir + " failed (the log prepares them when "
            + "it reaches them): " + e, e);
      }
    }
  }

  /**
   * Asks the background thread to make everything appended so far durable now, without waiting for it (the
   * buffer pool, when it passed over a dirty page whose write-back would have waited for that sync).
   */
  public void requestFlush() {
    if (durableLsn <= lastRecordLsn) kickBackground();
  }

  private void kickBackground() {
    backgroundLock.lock();
    try {
      backgroundKicked = true;
      backgroundWake.signalAll();
    } finally {
      backgroundLock.unlock();
    }
  }

  /** Turns the writer failed; called by the thread holding {@link #leading}. */
  private void fail(Throwable cause) {
    if (failure != null) return;
    failure = new DatabaseFailedException("WAL write or fsync failed in " + walDir + "; records after LSN "
        + Lsn.toString(durableLsn) + " may be lost and the log takes no more writes (reopen to recover): " + cause,
        cause);
    LOG.log(Level.ERROR, failure.getMessage(), cause);
    if (archiver != null) archiver.kick();
  }

  private void throwIfFailed() {
    DatabaseFailedException f = failure;
    if (f != null) throw new DatabaseFailedException(f.getMessage(), f.getCause());
  }

  private void checkUsable() {
    throwIfFailed();
    if (closed) throw new ClosedException("WAL writer for " + walDir);
  }

  private static void closeQuietly(WalFile f) {
    try {
      f.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "closing a WAL segment failed: " + e, e);
    }
  }

}
