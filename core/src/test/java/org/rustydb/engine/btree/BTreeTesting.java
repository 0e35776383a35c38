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
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE);
    return new BufferPool(store, BufferPoolOptions.builder().frames(frames).build());
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
