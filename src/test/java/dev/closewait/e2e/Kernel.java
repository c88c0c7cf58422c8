package dev.closewait.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The kernel's own view, to compare the agent's reports with: `ss` and /proc. */
public final class Kernel {

    /** One CLOSE_WAIT socket as `ss` shows it, addresses as "ip:port" with v4-mapped IPv6 unwrapped. */
    public record Connection(String local, String remote) {
        boolean involvesPort(int port) {
            return local.endsWith(":" + port) || remote.endsWith(":" + port);
        }
    }

    private Kernel() {
    }

    /** `ss -tnH state close-wait`, restricted to connections with the given port at either end. */
    public static List<Connection> closeWait(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnH", "state", "close-wait").redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
            throw new AssertionError("ss failed: " + output);
        }
        List<Connection> connections = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4) {
                Connection connection = new Connection(address(columns[2]), address(columns[3]));
                if (connection.involvesPort(port)) {
                    connections.add(connection);
                }
            }
        }
        return connections;
    }

    /** As reports write addresses: v4-mapped IPv6 as plain IPv4, other IPv6 in brackets. */
    static String address(String ss) {
        return ss.startsWith("[::ffff:") ? ss.substring("[::ffff:".length()).replace("]", "") : ss;
    }

    /** The descriptors of a process that are sockets, from /proc/PID/fd. */
    public static Set<Integer> socketFds(long pid) throws IOException {
        Set<Integer> fds = new TreeSet<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path entry : entries.toList()) {
                try {
                    if (Files.readSymbolicLink(entry).toString().startsWith("socket:")) {
                        fds.add(Integer.parseInt(entry.getFileName().toString()));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        }
        return fds;
    }
}
