package org.rustydb.bench.ycsb;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;

/**
 * Berkeley DB Java Edition binding: a transactional environment, every operation auto-committed.
 * {@code nosync} commits with {@link Durability#COMMIT_NO_SYNC} (written to JE's log buffer, no fsync),
 * {@code sync} with {@link Durability#COMMIT_SYNC}. The cache budget is JE's cache size (on the Java heap).
 */
public final class JeBinding extends KvBinding {

  @Override
  protected KvStore open(StoreSettings s) {
    return new Store(s);
  }

  private static final class Store implements KvStore {
    private final Environment env;
    private final Database db;

    Store(StoreSettings s) {
      EnvironmentConfig ec = new EnvironmentConfig().setAllowCreate(true).setTransactional(true);
      ec.setCacheSize(s.cacheBytes());
      ec.setDurability(s.durability() == YcsbDurability.SYNC ? Durability.COMMIT_SYNC : Durability.COMMIT_NO_SYNC);
      env = new Environment(s.dir().toFile(), ec);
      db = env.openDatabase(null, "usertable", new DatabaseConfig().setAllowCreate(true).setTransactional(true));
    }

    @Override
    public byte[] get(String key) {
      DatabaseEntry v = new DatabaseEntry();
      return db.get(null, new DatabaseEntry(key.getBytes(UTF_8)), v, LockMode.DEFAULT) == OperationStatus.SUCCESS
          ? v.getData() : null;
    }

    @Override
    public void put(String key, byte[] value) {
      db.put(null, new DatabaseEntry(key.getBytes(UTF_8)), new DatabaseEntry(value));
    }

    @Override
    public boolean delete(String key) {
      return db.delete(null, new DatabaseEntry(key.getBytes(UTF_8))) == OperationStatus.SUCCESS;
    }

    @Override
    public void scan(String startKey, int count, ValueVisitor visitor) {
      DatabaseEntry k = new DatabaseEntry(startKey.getBytes(UTF_8));
      DatabaseEntry v = new DatabaseEntry();
      try (Cursor c = db.openCursor(null, null)) {
        OperationStatus st = c.getSearchKeyRange(k, v, LockMode.DEFAULT);
        for (int n = 0; st == OperationStatus.SUCCESS && n < count; n++) {
          visitor.accept(v.getData());
          st = c.getNext(k, v, LockMode.DEFAULT);
        }
      }
    }

    @Override
    public void close() {
      try {
        db.close();
      } finally {
        env.close();
      }
    }
  }
}
