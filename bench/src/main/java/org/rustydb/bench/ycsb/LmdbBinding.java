package org.rustydb.bench.ycsb;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Iterator;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

/**
 * LMDB (lmdbjava) binding: one write transaction per write (LMDB allows one writer at a time), one read
 * transaction per read or scan. {@code nosync} opens the environment with {@code MDB_NOSYNC} and
 * {@code MDB_NOMETASYNC} (commits reach the OS page cache, not the disk); {@code sync} uses LMDB's default,
 * an fsync per commit. LMDB has no cache of its own: it maps the file and relies on the OS page cache, so
 * the cache budget does not apply; the map size is fixed large enough (sparse file) for the runs.
 * Needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}.
 */
public final class LmdbBinding extends KvBinding {

  /** Upper bound of the data file; LMDB creates it sparse. */
  static final long MAP_SIZE = 16L << 30;

  @Override
  protected KvStore open(StoreSettings s) {
    return new Store(s);
  }

  private static final class Store implements KvStore {
    private final Env<byte[]> env;
    private final Dbi<byte[]> dbi;

    Store(StoreSettings s) {
      EnvFlags[] flags = s.durability() == YcsbDurability.SYNC
          ? new EnvFlags[0] : new EnvFlags[] {EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC};
      env = Env.create(ByteArrayProxy.PROXY_BA).setMapSize(MAP_SIZE).setMaxDbs(1)
          .setMaxReaders(Math.max(126, s.threads() * 2)).open(s.dir().toFile(), flags);
      dbi = env.openDbi("usertable", DbiFlags.MDB_CREATE);
    }

    @Override
    public byte[] get(String key) {
      try (Txn<byte[]> txn = env.txnRead()) {
        return dbi.get(txn, key.getBytes(UTF_8));
      }
    }

    @Override
    public void put(String key, byte[] value) {
      try (Txn<byte[]> txn = env.txnWrite()) {
        dbi.put(txn, key.getBytes(UTF_8), value);
        txn.commit();
      }
    }

    @Override
    public boolean delete(String key) {
      try (Txn<byte[]> txn = env.txnWrite()) {
        boolean had = dbi.delete(txn, key.getBytes(UTF_8));
        txn.commit();
        return had;
      }
    }

    @Override
    public void scan(String startKey, int count, ValueVisitor visitor) {
      // LMDB rejects a zero-length key; the empty start key means "from the first key".
      KeyRange<byte[]> range = startKey.isEmpty() ? KeyRange.all() : KeyRange.atLeast(startKey.getBytes(UTF_8));
      try (Txn<byte[]> txn = env.txnRead(); CursorIterable<byte[]> it = dbi.iterate(txn, range)) {
        Iterator<CursorIterable.KeyVal<byte[]>> i = it.iterator();
        for (int n = 0; n < count && i.hasNext(); n++) {
          CursorIterable.KeyVal<byte[]> kv = i.next();
          visitor.accept(kv.val());
        }
      }
    }

    @Override
    public void close() {
      try {
        env.sync(true);
      } finally {
        env.close();
      }
    }
  }
}
