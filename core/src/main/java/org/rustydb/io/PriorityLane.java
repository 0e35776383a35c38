package org.rustydb.io;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link IoScheduler#lane(IoPriority)}: an {@link IoEngine} whose requests go through the scheduler at one
 * priority; or {@link IoScheduler#contextLane(IoPriority)}: at the priority the submitting thread's
 * {@link IoScheduler#runAt} scope names, that one by default. Files, registered buffers and metrics are the underlying engine's (files opened through any
 * lane work in every lane). The lane does not own the engine: {@link #close()} leaves it open, and
 * whoever created the engine closes it.
 */
final class PriorityLane implements IoEngine {

  private final IoScheduler scheduler;
  private final IoPriority priority;
  private final boolean scoped;

  PriorityLane(IoScheduler scheduler, IoPriority priority, boolean scoped) {
    this.scheduler = scheduler;
    this.priority = priority;
    this.scoped = scoped;
  }

  /** The priority a request submitted now by this thread gets. */
  IoPriority priority() {
    return scoped ? IoScheduler.scopedPriority(priority) : priority;
  }

  @Override
  public String name() {
    return scheduler.engine().name();
  }

  @Override
  public IoFile open(Path path, FileOpenOptions options) {
    return scheduler.engine().open(path, options);
  }

  @Override
  public List<CompletableFuture<Long>> submit(List<? extends IoRequest> requests) {
    return scheduler.submit(priority(), requests);
  }

  /**
   * Through {@link IoScheduler#execute}: inline on this thread, when it may, for a CRITICAL lane and for
   * reads and writes above LOW.
   */
  @Override
  public CompletableFuture<Long> execute(IoRequest request) {
    return scheduler.execute(priority(), request);
  }

  @Override
  public boolean allowsMappedReads() {
    return scheduler.engine().allowsMappedReads();
  }

  @Override
  public boolean registerBuffers(MemorySegment region) {
    return scheduler.engine().registerBuffers(region);
  }

  @Override
  public void unregisterBuffers() {
    scheduler.engine().unregisterBuffers();
  }

  @Override
  public int maxIovecs() {
    return scheduler.engine().maxIovecs();
  }

  @Override
  public IoMetrics metrics() {
    return scheduler.engine().metrics();
  }

  /** Does nothing: the lane is a view; the engine's owner closes the engine. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return name() + " engine, " + (scoped ? "scoped lane (default " + priority + ")" : priority + " lane");
  }
}
