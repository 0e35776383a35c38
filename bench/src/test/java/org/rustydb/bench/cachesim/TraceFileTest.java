package org.rustydb.bench.cachesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.OperationFailedException;

class TraceFileTest {

  @TempDir Path dir;

  @Test
  void readsPlainTextSkippingBlankLines() throws IOException {
    Path f = Files.writeString(dir.resolve("t.txt"), "1\n 2 \n\n3\r\n");
    TraceFile t = TraceFile.read(f);
    assertThat(t.name()).isEqualTo("t.txt");
    assertThat(t.pages()).containsExactly(1, 2, 3);
    assertThat(t.distinctPages()).isEqualTo(3);
  }

  @Test
  void detectsGzipByMagicBytesNotByName() throws IOException {
    Path f = dir.resolve("no-suffix");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write("7\n8\n7\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(TraceFile.read(f).pages()).containsExactly(7, 8, 7);
  }

  @Test
  void readsTheBundledTraces() {
    TraceFile ps = Traces.load("lirs-ps");
    assertThat(ps.pages()).hasSize(10_448);
    assertThat(ps.distinctPages()).isEqualTo(3_083);
  }

  @Test
  void badInputNamesTheFileAndLine() throws IOException {
    Path f = Files.writeString(dir.resolve("bad.txt"), "1\n2\nthree\n");
    assertThatThrownBy(() -> TraceFile.read(f)).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("bad.txt").hasMessageContaining("line 3").hasMessageContaining("three");
    Path neg = Files.writeString(dir.resolve("neg.txt"), "-4\n");
    assertThatThrownBy(() -> TraceFile.read(neg)).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> TraceFile.read(dir.resolve("missing"))).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("not found");
  }
}
