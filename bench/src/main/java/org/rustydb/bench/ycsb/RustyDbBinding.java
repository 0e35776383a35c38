package org.rustydb.bench.ycsb;

import static java.nio.charset.StandardCharsets.UTF_8;

import org.rustydb.Cursor;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.Table;
import org.rustydb.TableOptions;
import org.rustydb.wal.Durability;

/**
 * RustyDB binding: one B+tree table {@code usertable} in a database of its own, every operation
 * auto-committed. {@code nosync} commits with {@link Durability#NO_SYNC} (logged; the WAL writer makes it
 * durable within its flush interval, group commit), {@code sync} with {@link Durability#SYNC} (the commit
 * waits for the log's fdatasync, shared by concurrent committers). The cache budget is the buffer pool; page
 * files use O_DIRECT unless the child runs with {@code -D}{@value YcsbChild#RUSTYDB_PAGE_CACHE}{@code =os}
 * (then, like the peers, RustyDB also has the OS page cache behind its pool).
 */
public final class RustyDbBinding extends KvBinding {

  @Override
  protected KvStore open(StoreSettings s) {
    return new Store(s);
  }

  private static final class Store implements KvStore {
    private final Database db;
    private final Table table;

    Store(StoreSettings s) {
      db = Database.open(s.dir(), DatabaseOptions.builder().poolBytes(s.cacheBytes())
          .durability(s.durability() == YcsbDurability.SYNC ? Durability.SYNC : Durability.NO_SYNC)
          .directIo(!"os".equals(System.getProperty(YcsbChild.RUSTYDB_PAGE_CACHE))).build());
      boolean exists = db.listTables().stream().anyMatch(t -> t.name().equals("usertable"));
      table = exists ? db.openTable("usertable") : db.createTable("usertable", TableOptions.defaults());
    }

    @Override
    public byte[] get(String key) {
      return table.get(key.getBytes(UTF_8));
    }

    @Override
    public void put(String key, byte[] value) {
      table.put(key.getBytes(UTF_8), value);
    }

    @Override
    public boolean delete(String key) {
      return table.delete(key.getBytes(UTF_8));
    }

    @Override
    public void scan(String startKey, int count, ValueVisitor visitor) {
      try (Cursor c = table.scan(startKey.getBytes(UTF_8), null).limit(count)) {
        while (c.next()) visitor.accept(c.value());
      }
    }

    @Override
    public void close() {
      db.close();
    }
  }
}
