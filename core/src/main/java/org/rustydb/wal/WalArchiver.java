package org.rustydb.wal;

import org.rustydb.io.Threads;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The archiver thread ({@code rustydb-wal-archiver}): copies each completed segment, oldest first, into
 * {@code archive/} through a {@link SegmentArchiver}. A failed attempt is counted, logged as a warning
 * with its cause, and retried after a backoff that doubles up to a maximum; segments wait (unrecycled)
 * meanwhile, because {@link WalSegments#recycleBefore} never touches a segment without its archive file.
 * An archive file that exists is complete, so after a restart the archiver resumes at the oldest segment
 * without one.
 */
final class WalArchiver {

  private static final System.Logger LOG = System.getLogger(WalArchiver.class.getName());

  private final WalSegments segments;
  private final SegmentArchiver archiver;
  private final Duration initialDelay;
  private final Duration maxDelay;
  /** Segments below this number are complete (the log has moved past them). */
  private final LongSupplier completedBefore;
  private final Runnable afterArchive;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private boolean kicked;
  /** Segments below this were found archived: no need to look at them again. */
  private long scanFrom;
  private volatile boolean stopped;
  private final Thread thread;

  final AtomicLong archived = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  WalArchiver(WalSegments segments, SegmentArchiver archiver, Duration initialDelay, Duration maxDelay,
      LongSupplier completedBefore, Runnable afterArchive) {
    this.segments = segments;
    this.archiver = archiver;
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.completedBefore = completedBefore;
    this.afterArchive = afterArchive;
    this.thread = Thread.ofPlatform().name("rustydb-wal-archiver").daemon().unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** Asks the thread to look for work now (a segment completed). */
  void kick() {
    lock.lock();
    try {
      kicked = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void stop() {
    stopped = true;
    kick();
    Threads.joinUninterruptibly(thread);
  }

  private void run() {
    long delayNanos = initialDelay.toNanos();
    while (!stopped) {
      long seg = nextToArchive();
      if (seg < 0) {
        await(TimeUnit.SECONDS.toNanos(1), true);
        continue;
      }
      try {
        archiver.archive(segments.path(seg), segments.archivePath(seg));
        archived.incrementAndGet();
        delayNanos = initialDelay.toNanos();
        LOG.log(Level.DEBUG, "archived WAL segment {0}", SegmentNames.name(seg));
        afterArchive.run();
      } catch (Exception e) {
        failures.incrementAndGet();
        LOG.log(Level.WARNING, "archiving WAL segment " + SegmentNames.name(seg) + " failed (attempt will be retried in "
            + Duration.ofNanos(delayNanos) + "): " + e, e);
        await(delayNanos, false);
        delayNanos = Math.min(maxDelay.toNanos(), delayNanos * 2);
      }
    }
  }

  /** The oldest complete segment without an archive file, or -1. */
  private long nextToArchive() {
    long limit = completedBefore.getAsLong();
    for (long s = Math.max(segments.oldest(), scanFrom); s < limit; s++) {
      if (!segments.isArchived(s)) return s;
      scanFrom = s + 1;
    }
    return -1;
  }

  /** Waits {@code nanos}, or less when stopped or (if {@code wakeOnKick}) kicked. */
  private void await(long nanos, boolean wakeOnKick) {
    lock.lock();
    try {
      long left = nanos;
      while (!(wakeOnKick && kicked) && !stopped && left > 0) {
        left = wake.awaitNanos(left);
      }
      kicked = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    } finally {
      lock.unlock();
    }
  }
}
