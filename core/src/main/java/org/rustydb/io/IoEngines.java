package org.rustydb.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rustydb.OperationFailedException;

/**
 * Builds the I/O engine {@link IoOptions#engine()} asks for. {@code AUTO} uses io_uring when a start-up
 * probe shows that it works here, and otherwise the portable engine, saying why once per JVM in the log.
 * The probe catches what a version check cannot: io_uring disabled by sysctl
 * ({@code kernel.io_uring_disabled}), blocked by seccomp (containers' default profiles), a kernel too old
 * for the opcodes, a JVM without native access. It sets a ring up and does a real write and read.
 */
public final class IoEngines {

  private static final System.Logger LOG = System.getLogger(IoEngines.class.getName());
  private static final AtomicBoolean NOTICE_GIVEN = new AtomicBoolean();
  private static volatile String probeResult; // "" = works, else why not

  private IoEngines() {}

  public static IoEngine create(IoOptions options) {
    return switch (options.engine()) {
      case FILE_CHANNEL -> new FileChannelIoEngine(options);
      case URING -> {
        String why = uringUnavailableReason();
        if (why != null) throw new OperationFailedException("io_uring engine requested but unavailable: " + why);
        yield new UringIoEngine(options);
      }
      case AUTO -> {
        String why = uringUnavailableReason();
        if (why == null) yield new UringIoEngine(options);
        if (NOTICE_GIVEN.compareAndSet(false, true)) {
          LOG.log(System.Logger.Level.INFO, "io_uring unavailable (" + why + "); using the FileChannel I/O engine");
        }
        yield new FileChannelIoEngine(options);
      }
    };
  }

  /** Null when io_uring works in this process, else why not. Probed once per JVM. */
  public static String uringUnavailableReason() {
    String r = probeResult;
    if (r == null) {
      synchronized (IoEngines.class) {
        r = probeResult;
        if (r == null) {
          r = probe();
          probeResult = r;
        }
      }
    }
    return r.isEmpty() ? null : r;
  }

  private static String probe() {
    if (LinuxNative.get().isEmpty()) return LinuxNative.unavailableReason();
    Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
    try {
      if (Files.isReadable(disabled) && Files.readString(disabled).trim().equals("2")) {
        return "disabled by sysctl kernel.io_uring_disabled=2";
      }
    } catch (IOException e) {
      // unreadable: let the setup call decide
    }
    Path tmp = null;
    try (UringIoEngine engine = new UringIoEngine(IoOptions.builder().queueDepth(4).registeredFiles(0).build());
        Arena arena = Arena.ofShared()) {
      tmp = Files.createTempFile("rustydb-uring-probe", ".tmp");
      MemorySegment out = arena.allocate(512, 8);
      MemorySegment in = arena.allocate(512, 8);
      for (int i = 0; i < 512; i++) out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
      try (IoFile f = engine.open(tmp, FileOpenOptions.readWrite())) {
        IoEngine.await(engine.write(f, 0, out));
        IoEngine.await(engine.readFully(f, 0, in));
      }
      if (in.mismatch(out) != -1) return "probe read back different bytes than it wrote";
      return "";
    } catch (RuntimeException | IOException e) {
      return e.getMessage();
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }
}
