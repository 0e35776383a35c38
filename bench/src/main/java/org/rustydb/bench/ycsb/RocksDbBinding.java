package org.rustydb.bench.ycsb;

import static java.nio.charset.StandardCharsets.UTF_8;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * RocksDB (rocksdbjni) binding. WAL always on; {@code nosync} writes without fsync, {@code sync} sets
 * {@code WriteOptions.setSync(true)} on every write. The cache budget is the block cache (an LRU cache,
 * index and filter blocks charged to it); memtables are RocksDB's default size.
 */
public final class RocksDbBinding extends KvBinding {

  static {
    RocksDB.loadLibrary();
  }

  @Override
  protected KvStore open(StoreSettings s) throws RocksDBException {
    return new Store(s);
  }

  private static final class Store implements KvStore {
    private final LRUCache cache;
    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;

    Store(StoreSettings s) throws RocksDBException {
      cache = new LRUCache(s.cacheBytes());
      BlockBasedTableConfig table = new BlockBasedTableConfig()
          .setBlockCache(cache)
          .setCacheIndexAndFilterBlocks(true);
      options = new Options().setCreateIfMissing(true).setTableFormatConfig(table);
      writeOptions = new WriteOptions().setSync(s.durability() == YcsbDurability.SYNC).setDisableWAL(false);
      db = RocksDB.open(options, s.dir().toString());
    }

    @Override
    public byte[] get(String key) {
      try {
        return db.get(key.getBytes(UTF_8));
      } catch (RocksDBException e) {
        throw new IllegalStateException("rocksdb get: " + e.getMessage(), e);
      }
    }

    @Override
    public void put(String key, byte[] value) {
      try {
        db.put(writeOptions, key.getBytes(UTF_8), value);
      } catch (RocksDBException e) {
        throw new IllegalStateException("rocksdb put: " + e.getMessage(), e);
      }
    }

    @Override
    public boolean delete(String key) {
      byte[] k = key.getBytes(UTF_8);
      try {
        // RocksDB deletes blindly; YCSB wants to know whether the key was there.
        if (db.get(k) == null) return false;
        db.delete(writeOptions, k);
        return true;
      } catch (RocksDBException e) {
        throw new IllegalStateException("rocksdb delete: " + e.getMessage(), e);
      }
    }

    @Override
    public void scan(String startKey, int count, ValueVisitor visitor) {
      try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
        int n = 0;
        for (it.seek(startKey.getBytes(UTF_8)); it.isValid() && n < count; it.next(), n++) {
          visitor.accept(it.value());
        }
      }
    }

    @Override
    public void close() {
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        throw new IllegalStateException("rocksdb sync on close: " + e.getMessage(), e);
      } finally {
        db.close();
        writeOptions.close();
        options.close();
        cache.close();
      }
    }
  }
}
