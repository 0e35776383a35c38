package org.rustydb.engine.btree;

import java.util.Random;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.BufferPoolOptions;
import org.rustydb.buffer.InMemoryPageFileStore;

/** Shared helpers for the B+tree tests: pools over an in-memory store, seeds, random keys and values. */
final class BTreeTesting {

  static final int FILE = 1;

  private BTreeTesting() {}

  static BufferPool pool(int frames) {
    return pool(new InMemoryPageFileStore(), frames);
  }

  /** A pool of {@code frames} frames over {@code store}, in which file {@link #FILE} is created. */
  static BufferPool pool(InMemoryPageFileStore store, int frames) {
    store.createFile(FILE);
    return new BufferPool(store, BufferPoolOptions.builder().frames(frames).build());
  }

  /** The page number the file would take next: how many pages the tree has taken so far (it takes one). */
  static long nextPageNo(InMemoryPageFileStore store) {
    return org.rustydb.disk.PageId.pageNo(store.allocatePage(FILE));
  }

  /** The seed from -D{@code property}, or a fresh one; printed so that a failure can be reproduced. */
  static long seed(String property) {
    String s = System.getProperty(property);
    long seed = s != null ? Long.parseLong(s) : new Random().nextLong();
    System.out.println(property + "=" + seed);
    return seed;
  }

  static byte[] bytes(Random r, int min, int max) {
    byte[] b = new byte[min + r.nextInt(max - min + 1)];
    r.nextBytes(b);
    return b;
  }

  static byte[] key(int i) {
    return String.format("k%08d", i).getBytes();
  }
}
