package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class FileChannelIoEngineTest extends IoEngineContractTest {

  @Override
  IoEngine newEngine(IoOptions.Builder options) {
    return new FileChannelIoEngine(options.build());
  }

  @Test
  void heapBuffersWork() throws Exception {
    IoFile f = create("h");
    MemorySegment out = MemorySegment.ofArray(new byte[100]);
    out.fill((byte) 7);
    assertThat(get(engine.write(f, 10, out))).isEqualTo(100);
    MemorySegment in = MemorySegment.ofArray(new byte[100]);
    assertThat(get(engine.readFully(f, 10, in))).isEqualTo(100);
    assertThat(in.mismatch(out)).isEqualTo(-1);
  }

  @Test
  void registeringBuffersIsDeclined() {
    assertThat(engine.registerBuffers(buffer(PAGE))).isFalse();
  }
}
