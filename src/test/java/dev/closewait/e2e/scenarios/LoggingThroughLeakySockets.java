package dev.closewait.e2e.scenarios;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worst log appender: every line written to System.err opens a new TCP connection to a log collector, sends the
 * line and never closes it; the collector closes its side, so each of those connections sits in CLOSE_WAIT. The
 * agent's own reports go through it. Then two ordinary leaks. Run without SLF4J so reports go to System.err.
 */
public final class LoggingThroughLeakySockets {

    static final AtomicInteger LINES = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        ServerSocket collector = Scenario.serverSocket();
        Scenario.daemon("log-collector", () -> {
            try {
                while (true) {
                    try (Socket socket = collector.accept()) {
                        socket.getInputStream().read(new byte[8192]);
                        LINES.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                // closed at exit
            }
        });
        PrintStream realErr = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                line.write(b);
                if (b == '\n') {
                    realErr.write(line.toByteArray(), 0, line.size());
                    try {
                        Socket appender = new Socket(Scenario.loopback(), collector.getLocalPort());
                        appender.getOutputStream().write(line.toByteArray()); // never closed
                    } catch (Exception e) {
                        realErr.println("appender failed: " + e);
                    }
                    line.reset();
                }
            }
        }, true, StandardCharsets.UTF_8));

        ServerSocket server = Scenario.serverSocket();
        java.util.List<Socket> forgotten = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            new Socket(Scenario.loopback(), server.getLocalPort()).close();
            Socket accepted = server.accept();
            forgotten.add(accepted);
            InputStream in = accepted.getInputStream();
            while (in.read() != -1) {
                // consume
            }
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), 2);
    }
}
