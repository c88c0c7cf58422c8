package dev.closewait.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for servers a child JVM starts on a port the test names (the agent's metrics endpoint). */
public final class TestPorts {

    private TestPorts() {
    }

    /**
     * A port that is free now, below the kernel's ephemeral range where it can be: a port from that range may be
     * handed to some other process's outgoing connection before the child JVM binds it (this machine's test runs
     * keep tens of thousands of connections churning).
     */
    public static int freePort() throws IOException {
        int ephemeralLow = 32768;
        try {
            ephemeralLow = Integer.parseInt(
                    Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            // keep Linux's default
        }
        for (int attempt = 0; attempt < 50 && ephemeralLow > 20_100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, ephemeralLow);
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return probe.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
