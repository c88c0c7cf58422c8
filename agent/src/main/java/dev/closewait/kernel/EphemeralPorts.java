package dev.closewait.kernel;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.StringTokenizer;

/**
 * How many ephemeral ports this host hands out to outgoing connections: {@code high − low + 1} from
 * {@code /proc/sys/net/ipv4/ip_local_port_range} (per network namespace), else Linux's default range 32768–60999,
 * 28,232 ports. Connections to one destination cannot use more ports than that at a time, TIME_WAIT included.
 */
public final class EphemeralPorts {

    public static final int LINUX_DEFAULT = 60999 - 32768 + 1;

    private EphemeralPorts() {
    }

    /** The range of this system; never fails. */
    public static Range system() {
        return read(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
    }

    /** The range in {@code file} (two numbers, "low high"), or Linux's default if it is missing or unreadable. */
    public static Range read(Path file) {
        // A reader, not Files.readString: that trusts the size procfs reports and returned only "3" of
        // "30000\t59989" on JDK 17 (Linux 6.18). Over a FileInputStream, not Files.newBufferedReader: that one is a
        // FileChannel, whose first use loads sun.nio.ch.IOUtil, which the agent instruments (ASM and all, 20 ms of a
        // JVM that may never open a socket).
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new FileInputStream(file.toFile()),
                StandardCharsets.US_ASCII))) {
            String line = reader.readLine();
            // Not split("\\s+"): a regular expression compiled at start links lambdas inside java.util.regex.
            StringTokenizer bounds = new StringTokenizer(line == null ? "" : line);
            if (bounds.countTokens() == 2) {
                int low = Integer.parseInt(bounds.nextToken());
                int high = Integer.parseInt(bounds.nextToken());
                if (low >= 1 && high <= 65535 && low <= high) {
                    return new Range(high - low + 1, true);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // not Linux, or no /proc: the default
        }
        return new Range(LINUX_DEFAULT, false);
    }

    /**
     * @param ports    how many ports
     * @param fromProc read from /proc (false: Linux's default assumed)
     */
    public record Range(int ports, boolean fromProc) {
    }
}
