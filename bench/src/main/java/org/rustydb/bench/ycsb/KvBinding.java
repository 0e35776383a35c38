package org.rustydb.bench.ycsb;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * A {@code site.ycsb.DB} over a {@link KvStore}. YCSB creates one DB object per client thread; all of them
 * with the same data directory share one store, opened by the first {@link #init()} and closed by the last
 * {@link #cleanup()}. A binding for a new engine is a subclass that only implements {@link #open}.
 *
 * <p>Update reads the record, replaces the given fields and writes it back (YCSB's update semantics: fields not
 * named keep their values); the read-modify-write is not atomic across threads, as in YCSB's own key-value
 * bindings (RocksDB's, for one).
 */
public abstract class KvBinding extends DB {

  private static final System.Logger LOG = System.getLogger(KvBinding.class.getName());

  private record Shared(KvStore store, int users) {}

  private static final Map<Path, Shared> OPEN = new HashMap<>();

  private Path dir;
  private KvStore store;

  /** Opens the engine in {@code settings.dir()}, configured for its durability class and cache budget. */
  protected abstract KvStore open(StoreSettings settings) throws Exception;

  @Override
  public void init() throws DBException {
    StoreSettings settings;
    try {
      settings = StoreSettings.from(getProperties());
    } catch (IllegalArgumentException e) {
      throw new DBException(e.getMessage(), e);
    }
    Path key = settings.dir().toAbsolutePath().normalize();
    synchronized (OPEN) {
      Shared s = OPEN.get(key);
      if (s == null) {
        try {
          java.nio.file.Files.createDirectories(key);
          s = new Shared(open(settings), 0);
        } catch (Exception e) {
          throw new DBException(getClass().getSimpleName() + " cannot open " + key + ": " + e, e);
        }
      }
      OPEN.put(key, new Shared(s.store(), s.users() + 1));
      dir = key;
      store = s.store();
    }
  }

  @Override
  public void cleanup() throws DBException {
    if (dir == null) return;
    synchronized (OPEN) {
      Shared s = OPEN.get(dir);
      if (s != null && s.users() <= 1) {
        OPEN.remove(dir);
        try {
          s.store().close();
        } catch (RuntimeException e) {
          throw new DBException(getClass().getSimpleName() + " cannot close " + dir + ": " + e, e);
        }
      } else if (s != null) {
        OPEN.put(dir, new Shared(s.store(), s.users() - 1));
      }
      dir = null;
      store = null;
    }
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      byte[] v = store.get(key);
      if (v == null) return Status.NOT_FOUND;
      RecordCodec.decode(v, fields, result);
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("read", key, e);
    }
  }

  @Override
  public Status scan(String table, String startKey, int count, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    try {
      store.scan(startKey, count, v -> {
        HashMap<String, ByteIterator> row = new HashMap<>();
        RecordCodec.decode(v, fields, row);
        result.add(row);
      });
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("scan", startKey, e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      byte[] old = store.get(key);
      if (old == null) return Status.NOT_FOUND;
      Map<String, byte[]> fields = new LinkedHashMap<>(RecordCodec.decodeRaw(old));
      for (Map.Entry<String, ByteIterator> e : values.entrySet()) fields.put(e.getKey(), e.getValue().toArray());
      store.put(key, RecordCodec.encodeRaw(fields));
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("update", key, e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      store.put(key, RecordCodec.encode(values));
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("insert", key, e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      return store.delete(key) ? Status.OK : Status.NOT_FOUND;
    } catch (RuntimeException e) {
      return failed("delete", key, e);
    }
  }

  private Status failed(String op, String key, RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, getClass().getSimpleName() + " " + op + " " + key + " failed", e);
    return Status.ERROR;
  }
}
