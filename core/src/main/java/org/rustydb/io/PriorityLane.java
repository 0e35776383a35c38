package org.rustydb.io;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link IoScheduler#lane(IoPriority)}: an {@link IoEngine} whose requests go through the scheduler at one
 * priority. Files, registered buffers and metrics are the underlying engine's (files opened through any
 * lane work in every lane). The lane does not own the engine: {@link #close()} leaves it open, and
 * whoever created the engine closes it.
 */
final class PriorityLane implements IoEngine {

  private final IoScheduler scheduler;
  private final IoPriority priority;

  PriorityLane(IoScheduler scheduler, IoPriority priority) {
    this.scheduler = scheduler;
    this.priority = priority;
  }

  IoPriority priority() {
    return priority;
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
    return scheduler.submit(priority, requests);
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
    return name() + " engine, " + priority + " lane";
  }
}
