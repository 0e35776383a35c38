package org.rustydb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class YcsbChildTest {

  @Test
  void runPropertiesKeepTheWorkloadAndApplySizesSettingsAndAFieldLength() {
    StoreSettings s = new StoreSettings(Path.of("/tmp/x"), YcsbDurability.NOSYNC, 32, 2);
    Properties standard = YcsbChild.properties("a", 10, 20, s);
    assertThat(standard.getProperty("readproportion")).isEqualTo("0.5");
    assertThat(standard.getProperty("recordcount")).isEqualTo("10");
    assertThat(standard.getProperty("operationcount")).isEqualTo("20");
    assertThat(standard.getProperty(StoreSettings.CACHE_MB)).isEqualTo("32");
    assertThat(standard.getProperty("fieldlength")).isNull(); // YCSB's default: 100
    System.setProperty(YcsbChild.FIELD_LENGTH, "90");
    try {
      assertThat(YcsbChild.properties("a", 10, 20, s).getProperty("fieldlength")).isEqualTo("90");
    } finally {
      System.clearProperty(YcsbChild.FIELD_LENGTH);
    }
  }
}
