package org.rustydb.io;

/**
 * Waiting for the engine's own background threads (io_uring's ring thread, the WAL writer, the flusher,
 * the archiver, the pool's warmer) to end. In this package because it is the lowest layer that runs
 * threads of its own, so every layer above may use it.
 */
public final class Threads {

  private Threads() {}

  /**
   * Waits until {@code t} has ended, however often the caller is interrupted meanwhile (a close must not
   * return while the thread may still touch what it is about to free); the caller's interrupt flag is set
   * again afterwards if it was interrupted.
   */
  public static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }
}
