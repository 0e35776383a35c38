package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadsTest {

  /** An interrupted caller keeps waiting until the thread has ended, then finds its interrupt flag set again. */
  @Test
  void anInterruptDoesNotCutTheWaitShortAndIsKept() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    Thread worker = Thread.ofPlatform().start(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AtomicBoolean endedFirst = new AtomicBoolean();
    AtomicBoolean flagKept = new AtomicBoolean();
    Thread waiter = Thread.ofPlatform().start(() -> {
      Threads.joinUninterruptibly(worker);
      endedFirst.set(!worker.isAlive());
      flagKept.set(Thread.currentThread().isInterrupted());
    });
    while (waiter.getState() != Thread.State.WAITING && waiter.isAlive()) Thread.onSpinWait(); // inside join
    waiter.interrupt();
    waiter.interrupt();
    assertThat(waiter.isAlive()).as("still waiting for the worker").isTrue();
    release.countDown();
    waiter.join();
    assertThat(endedFirst).isTrue();
    assertThat(flagKept).isTrue();
  }

  @Test
  void aThreadThatEndedAlreadyReturnsAtOnce() throws InterruptedException {
    Thread done = Thread.ofPlatform().start(() -> {});
    done.join();
    Threads.joinUninterruptibly(done);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
