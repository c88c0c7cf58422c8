package dev.closewait.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The /proc look-alikes under src/test/resources/proc: {@code sample} is one process's view (its descriptors and
 * the namespace's TCP tables, rows of other processes included), {@code no-ipv6} lacks tcp6, {@code every-state}
 * has one row per TCP state and {@code malformed} has broken rows between two good ones. Row layouts are copied
 * from a real Linux /proc/net/tcp and tcp6 (IPv4 rows padded to 149 columns, TIME_WAIT rows in their short form).
 */
final class Fixtures {

    private Fixtures() {
    }

    /**
     * The fixture laid out as /proc is: a copy under target/ whose self/fd entries are symbolic links to what the
     * fixture's plain files name ("socket:[1001]", "pipe:[9]"), since links do not survive resource copying.
     */
    static synchronized Path root(String name) {
        Path source = resources(name);
        Path copy = Path.of("target", "proc-fixtures", name).toAbsolutePath();
        try {
            if (Files.exists(copy)) {
                return copy;
            }
            try (Stream<Path> paths = Files.walk(source)) {
                for (Path path : paths.toList()) {
                    Path target = copy.resolve(source.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(target);
                    } else if (path.getParent().endsWith(Path.of("self", "fd"))) {
                        Files.createSymbolicLink(target, Path.of(Files.readString(path, StandardCharsets.US_ASCII).trim()));
                    } else {
                        Files.copy(path, target);
                    }
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resources(String name) {
        URL url = Fixtures.class.getResource("/proc/" + name);
        if (url == null) {
            throw new AssertionError("no fixture proc/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static String table(String root, String name) {
        try {
            return Files.readString(resources(root).resolve("net").resolve(name), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every row the parser accepts, with no inode filter. */
    static List<TcpRow> parseAll(ProcNetTcp parser, CharSequence table) {
        List<TcpRow> rows = new ArrayList<>();
        parser.parse(table, inode -> true, rows::add);
        return rows;
    }
}
