package dev.closewait.e2e.scenarios.churn;

import dev.closewait.e2e.scenarios.Scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server side of the churn scenarios: a loopback server that answers every one-byte request with one byte until
 * the client closes, then closes after reading EOF, so it never closes first (no TIME_WAIT on its side).
 */
final class ChurnServer {

    private final ServerSocket server;
    private final AtomicInteger closedAfterEof = new AtomicInteger();

    ChurnServer() throws IOException {
        server = new ServerSocket(0, 1024, Scenario.loopback());
        Scenario.daemon("churn-server", this::serve);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Waits (bounded) until the server has closed {@code count} connections after the client's. */
    void awaitClosed(int count) {
        Scenario.await("the server closing " + count + " connections after EOF", () -> closedAfterEof.get() >= count,
                30_000);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket accepted = server.accept()) {
                InputStream in = accepted.getInputStream();
                OutputStream out = accepted.getOutputStream();
                while (in.read() >= 0) {
                    out.write(1);
                }
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
            closedAfterEof.incrementAndGet();
        }
    }

    /** One request on a connection: writes a byte and reads the one-byte reply. */
    static void exchange(Socket socket) throws IOException {
        socket.getOutputStream().write(1);
        if (socket.getInputStream().read() != 1) {
            Scenario.fail("no reply from the churn server");
        }
    }

    /**
     * Prints the agent's connection meters as {@code METER name tags value}, read through the bridge the agent shares
     * from the class loader of its entry point, here the system class loader (reflection: the scenario is compiled
     * without the agent).
     */
    @SuppressWarnings("unchecked")
    static void printConnectionMeters() {
        try {
            Class<?> bridge = Class.forName("dev.closewait.bootstrap.MetricsBridge", true,
                    ClassLoader.getSystemClassLoader());
            Method meters = bridge.getMethod("meters", int.class);
            Method read = bridge.getMethod("read", int.class);
            List<List<String>> all = (List<List<String>>) meters.invoke(null, 0);
            for (int i = 0; i < all.size(); i++) {
                List<String> meter = all.get(i);
                if (meter.get(0).startsWith("closewait.connections.")) {
                    System.out.println("METER " + meter.get(0) + " " + String.join("=", meter.subList(4, meter.size()))
                            + " " + (long) (double) (Double) read.invoke(null, i));
                }
            }
            System.out.flush();
        } catch (ReflectiveOperationException e) {
            Scenario.fail("cannot read the agent's meters: " + e);
        }
    }
}
