package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rustydb.engine.btree.BTreeTesting.*;

import java.util.ArrayList;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rustydb.buffer.BufferPool;

/** Every change reaches the change log, before the page changes, with the bytes redo and undo need. */
class BTreeChangeLogTest {

  static final class Recorder implements BTreeChangeLog {
    final List<String> calls = new ArrayList<>();

    @Override public void insert(long page, byte[] key, byte[] value) {
      calls.add("insert " + new String(key) + "=" + value.length);
    }
    @Override public void replace(long page, byte[] key, byte[] oldValue, byte[] newValue) {
      calls.add("replace " + new String(key) + " " + new String(oldValue) + "->" + new String(newValue));
    }
    @Override public void delete(long page, byte[] key, byte[] oldValue) {
      calls.add("delete " + new String(key) + " " + new String(oldValue));
    }
    @Override public void split(long left, long right, long parent, int level, byte[] separator, long rightSibling) {
      calls.add("split level " + level);
    }
    @Override public void merge(long left, long right, long parent, int level, byte[] separator, long rightSibling) {
      calls.add("merge level " + level);
    }
    @Override public void newRoot(long meta, long oldRoot, long newRoot, int level, byte[] separator, long right) {
      calls.add("newRoot level " + level);
    }
    @Override public void collapseRoot(long meta, long oldRoot, long newRoot) {
      calls.add("collapseRoot");
    }
    @Override public void overflowPage(long page, long next, byte[] value, int offset, int length) {
      calls.add("overflow " + length);
    }
    @Override public void pageImage(long page, byte[] image) {
      calls.add("image " + image.length);
    }
  }

  @Test
  void contentAndStructureChangesAreLogged() {
    try (BufferPool pool = pool(512)) {
      Recorder log = new Recorder();
      BTree t = BTree.create(pool, FILE, log);
      t.put("a".getBytes(), "1".getBytes());
      t.put("a".getBytes(), "2".getBytes());
      t.delete("a".getBytes());
      assertThat(log.calls).containsExactly("insert a=1", "replace a 1->2", "delete a 2");
      log.calls.clear();
      t.put("big".getBytes(), new byte[5000]);
      assertThat(log.calls).containsExactly("overflow 948", "overflow 4052", "insert big=5000");
      log.calls.clear();
      for (int i = 0; i < 400; i++) t.put(key(i), new byte[100]);
      assertThat(log.calls).contains("split level 0", "newRoot level 1");
      assertThat(log.calls.stream().filter(c -> c.startsWith("insert")).count()).isEqualTo(400);
      log.calls.clear();
      for (int i = 0; i < 400; i++) t.delete(key(i));
      assertThat(log.calls).contains("merge level 0", "collapseRoot");
      assertThat(t.verify()).isEmpty();
    }
  }

  @Test
  void bulkLoadLogsWholePages() {
    try (BufferPool pool = pool(512)) {
      Recorder log = new Recorder();
      BTree t = BTree.create(pool, FILE, log);
      List<Map.Entry<byte[], byte[]>> in = new ArrayList<>();
      for (int i = 0; i < 1000; i++) in.add(new AbstractMap.SimpleEntry<>(key(i), new byte[100]));
      t.bulkLoad(in.iterator());
      long images = log.calls.stream().filter(c -> c.equals("image 4096")).count();
      assertThat(images).isGreaterThanOrEqualTo(1000 * 110 / 4096 + 1 + 1); // leaves and the root
      assertThat(t.verify()).isEmpty();
    }
  }
}
