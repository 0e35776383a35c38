package org.rustydb.bench.cachesim;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The LIRS traces under src/test/resources/traces (see the README there). */
final class Traces {

  private Traces() {}

  static Path path(String name) {
    URL url = Traces.class.getResource("/traces/" + name + ".trace.gz");
    if (url == null) throw new IllegalArgumentException("no test trace " + name);
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static TraceFile load(String name) {
    return TraceFile.read(path(name));
  }
}
