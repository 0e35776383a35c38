package org.rustydb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.constant.ClassDesc;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layer chain of docs/architecture.md: a package may use only the packages listed for it here.
 * It reads every compiled class's constant pool (the JDK's ClassFile API), so any reference counts: a
 * call, a field type, a cast, a catch. The exception types of {@code org.rustydb} (subclasses of
 * {@link RustyDbException}) may be used everywhere.
 */
class ArchitectureTest {

  /** package (without "org.rustydb.") to the packages it may use. "engine" covers its sub-packages. */
  static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("stats", Set.of()),
      Map.entry("io", Set.of("stats")),
      Map.entry("memory", Set.of("stats")),
      Map.entry("disk", Set.of("io", "memory", "stats")),
      Map.entry("page", Set.of("disk", "io", "memory", "stats")),
      Map.entry("wal", Set.of("page", "disk", "io", "memory", "stats")),
      Map.entry("buffer", Set.of("page", "disk", "io", "memory", "stats", "wal")),
      Map.entry("txn", Set.of("buffer", "page", "disk", "io", "memory", "stats", "wal")),
      Map.entry("recovery", Set.of("txn", "buffer", "page", "disk", "io", "memory", "stats", "wal")),
      Map.entry("engine", Set.of("recovery", "txn", "buffer", "page", "disk", "io", "memory", "stats", "wal")),
      Map.entry("", Set.of("engine", "recovery", "txn", "buffer", "page", "disk", "io", "memory", "stats", "wal")));

  @Test
  void packagesCallOnlyDownTheChain() throws IOException, URISyntaxException {
    Path classes = Path.of(RustyDbException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> violations = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        ClassModel model = ClassFile.of().parse(file);
        String from = layerOf(model.thisClass().asSymbol());
        if (from == null) continue;
        checked++;
        for (String target : referencedClasses(model)) {
          String to = layerOf(ClassDesc.of(target));
          if (to == null || to.equals(from) || isSharedException(target)) continue;
          if (!ALLOWED.getOrDefault(from, Set.of()).contains(to)) {
            violations.add(model.thisClass().asInternalName() + " (" + name(from) + ") uses " + target
                + " (" + name(to) + ")");
          }
        }
      }
    }
    assertThat(checked).as("classes checked").isGreaterThan(0);
    assertThat(violations).as("references against the layer chain").isEmpty();
  }

  @Test
  void everyPackageHasARule() throws IOException, URISyntaxException {
    Path classes = Path.of(RustyDbException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(classes)) {
      files.filter(p -> p.toString().endsWith(".class"))
          .map(p -> classes.relativize(p.getParent()).toString().replace('/', '.'))
          .distinct()
          .forEach(pkg -> assertThat(layerOf(ClassDesc.of(pkg + ".X")))
              .as("package %s has a rule in ArchitectureTest.ALLOWED", pkg)
              .isNotNull());
    }
  }

  private static Set<String> referencedClasses(ClassModel model) {
    Set<String> out = new TreeSet<>();
    for (PoolEntry e : model.constantPool()) {
      if (e instanceof ClassEntry ce) {
        ClassDesc d = ce.asSymbol();
        while (d.isArray()) d = d.componentType();
        if (d.isClassOrInterface()) out.add(d.packageName() + "." + d.displayName());
      }
    }
    return out;
  }

  /** The rule key for a class's package, or null for classes outside org.rustydb. */
  private static String layerOf(ClassDesc c) {
    String pkg = c.packageName();
    if (pkg.equals("org.rustydb")) return "";
    if (!pkg.startsWith("org.rustydb.")) return null;
    String rest = pkg.substring("org.rustydb.".length());
    String top = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
    return ALLOWED.containsKey(top) ? top : rest;
  }

  private static boolean isSharedException(String className) {
    if (!className.startsWith("org.rustydb.") || className.indexOf('.', "org.rustydb.".length()) >= 0) {
      return false;
    }
    try {
      return RustyDbException.class.isAssignableFrom(Class.forName(className));
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static String name(String layer) {
    return layer.isEmpty() ? "org.rustydb" : "org.rustydb." + layer;
  }
}
