package org.rustydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code examples/QuickStart.java} (at the repository's root) compiling and working: compiles it
 * against this module's class path, runs its {@code main} twice on one directory and checks what it prints.
 */
class QuickStartExampleTest {

  static final Path EXAMPLE = Path.of("..", "examples", "QuickStart.java");

  @TempDir Path tmp;

  /** Compiles the example and runs it on {@code dir}; returns what it printed. */
  String runExample(Path dir) throws Exception {
    assertThat(EXAMPLE).as("the example, from the cli module's folder").isRegularFile();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path classes = tmp.resolve("classes");
    Files.createDirectories(classes);
    StringWriter diagnostics = new StringWriter();
    boolean ok = javac.getTask(diagnostics, null, null,
        List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"), "-Xlint:all", "-Werror"),
        null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(EXAMPLE)).call();
    assertThat(ok).as("examples/QuickStart.java compiles without warnings:\n" + diagnostics).isTrue();
    PrintStream saved = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("QuickStart").getMethod("main", String[].class);
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[] {dir.toString()});
    } finally {
      System.setOut(saved);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theExampleCompilesRunsAndKeepsItsDataAcrossRuns() throws Exception {
    Path dir = tmp.resolve("db");
    String first = runExample(dir);
    assertThat(first)
        .contains("apple is red")
        .contains("durian is not there")
        .contains("  cherry = dark red\n  date = brown\n")
        .doesNotContain("banana =")
        .contains("table fruit (BTREE)")
        .contains("database in " + dir);
    String second = runExample(dir); // opens the existing table this time
    assertThat(second).contains("apple is red").contains("table fruit (BTREE)");
  }

  @Tag("needs-btree-wal")
  @Test
  void theExamplesRollbackRollsBack() throws Exception {
    assertThat(runExample(tmp.resolve("db"))).contains("elderberry after rollback: not there")
        .contains("elderberry inside the transaction: purple; outside: not there");
  }
}
