package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rustydb.OperationFailedException;

class FileNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"table_1.dat", "table_1_idx_btree.dat", "sort_12345.tmp", "a", "A-b.c_9"})
  void acceptsTheSpecsNames(String name) {
    assertThat(FileNames.check(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "..", ".", "../x", "x/../../y", "/etc/passwd", "a/b", "a\\b", "nul\0byte",
      ".hidden", "sp ace", "tab\t", "new\nline", "ü.dat", "C:x"})
  void refusesNamesThatCouldEscapeOrSurprise(String name) {
    assertThatThrownBy(() -> FileNames.check(name))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("bad file name");
  }

  @Test
  void refusesNullAndOverlongNames() {
    assertThat(FileNames.problem(null)).isEqualTo("empty");
    assertThat(FileNames.problem("x".repeat(201))).contains("longer than 200");
    assertThat(FileNames.problem("x".repeat(200))).isNull();
    assertThat(FileNames.problem("x/../y")).contains("separator");
    assertThat(FileNames.problem("a\0")).contains("NUL");
  }
}
