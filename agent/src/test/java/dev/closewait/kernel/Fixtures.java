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

/**
 * The /proc look-alikes under src/test/resources/proc: {@code sample} is one process's view (its descriptors and
 * the namespace's TCP tables, rows of other processes included), {@code no-ipv6} lacks tcp6, {@code every-state}
 * has one row per TCP state and {@code malformed} has broken rows between two good ones. Row layouts are copied
 * from a real Linux /proc/net/tcp and tcp6 (IPv4 rows padded to 149 columns, TIME_WAIT rows in their short form).
 */
final class Fixtures {

    private Fixtures() {
    }

    static Path root(String name) {
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
            return Files.readString(root(root).resolve("net").resolve(name), StandardCharsets.US_ASCII);
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
