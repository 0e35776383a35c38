package org.rustydb.bench.ycsb;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * H2 MVStore binding: one {@code MVMap<String, byte[]>} in {@code data.mv}. {@code nosync} leaves MVStore's
 * own auto-commit (a background thread writes changes about once a second; MVStore has no separate log, so
 * unwritten changes are lost on a crash: the weakest promise of the peers, noted in docs/benchmarks.md);
 * {@code sync} commits and fsyncs the file after every write. The cache budget is MVStore's page cache size.
 */
public final class H2MvStoreBinding extends KvBinding {

  @Override
  protected KvStore open(StoreSettings s) {
    return new Store(s);
  }

  private static final class Store implements KvStore {
    private final MVStore store;
    private final MVMap<String, byte[]> map;
    private final boolean sync;

    Store(StoreSettings s) {
      store = new MVStore.Builder().fileName(s.dir().resolve("data.mv").toString()).cacheSize(s.cacheMb()).open();
      map = store.openMap("usertable");
      sync = s.durability() == YcsbDurability.SYNC;
    }

    @Override
    public byte[] get(String key) {
      return map.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
      map.put(key, value);
      if (sync) commitAndSync();
    }

    @Override
    public boolean delete(String key) {
      boolean had = map.remove(key) != null;
      if (had && sync) commitAndSync();
      return had;
    }

    private void commitAndSync() {
      // Commits from several threads serialize inside MVStore; sync() forces the file to disk.
      store.commit();
      store.sync();
    }

    @Override
    public void scan(String startKey, int count, ValueVisitor visitor) {
      Cursor<String, byte[]> c = map.cursor(startKey);
      for (int n = 0; n < count && c.hasNext(); n++) {
        c.next();
        visitor.accept(c.getValue());
      }
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
