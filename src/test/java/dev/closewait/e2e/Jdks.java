package dev.closewait.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The JDKs to test on: the list in {@code closewait.test.jdks} (comma-separated JDK homes; every one must exist), or
 * with "auto" this build's JDK plus every JDK 17, 21 or 25 under /usr/lib/jvm. One JDK per major version.
 */
public final class Jdks {

    private static final Set<Integer> SUPPORTED = Set.of(17, 21, 25);
    private static final List<Jdk> ALL = discover();

    private Jdks() {
    }

    public static List<Jdk> all() {
        return ALL;
    }

    /** JDKs with virtual threads (21+). */
    public static List<Jdk> withVirtualThreads() {
        return ALL.stream().filter(jdk -> jdk.major() >= 21).toList();
    }

    private static List<Jdk> discover() {
        String configured = System.getProperty("closewait.test.jdks", "auto").trim();
        List<Path> homes = new ArrayList<>();
        if (configured.isEmpty() || configured.equals("auto")) {
            homes.add(Path.of(System.getProperty("java.home")));
            Path jvms = Path.of("/usr/lib/jvm");
            if (Files.isDirectory(jvms)) {
                try (Stream<Path> entries = Files.list(jvms)) {
                    entries.sorted().forEach(homes::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        } else {
            for (String home : configured.split(",")) {
                Path path = Path.of(home.trim());
                if (!Files.isExecutable(path.resolve("bin/java"))) {
                    throw new IllegalStateException("closewait.test.jdks names " + path + ", which is not a JDK");
                }
                homes.add(path);
            }
        }
        Map<Integer, Jdk> byMajor = new LinkedHashMap<>();
        for (Path home : homes) {
            int major = majorVersion(home);
            if (SUPPORTED.contains(major) && Files.isExecutable(home.resolve("bin/keytool"))) {
                byMajor.putIfAbsent(major, new Jdk(home, major));
            } else if (!configured.equals("auto") && !configured.isEmpty()) {
                throw new IllegalStateException(home + " is not a JDK 17, 21 or 25");
            }
        }
        if (byMajor.isEmpty()) {
            throw new IllegalStateException("no JDK 17, 21 or 25 to test on");
        }
        return byMajor.values().stream().sorted(Comparator.comparingInt(Jdk::major)).toList();
    }

    private static int majorVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        Properties properties = new Properties();
        try (var in = Files.newInputStream(release)) {
            properties.load(in);
        } catch (IOException e) {
            return -1;
        }
        String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
        try {
            return Integer.parseInt(Arrays.stream(version.split("[.+-]")).findFirst().orElse(""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
