package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** java.net.Socket done right: handlers read each connection to EOF and close it; clients send a line and close. */
public final class ProperCloseClean {

    static final int CONNECTIONS = 30;

    public static void main(String[] args) throws Exception {
        CountDownLatch closed = new CountDownLatch(CONNECTIONS);
        try (ServerSocket server = Scenario.serverSocket()) {
            Scenario.daemon("acceptor", () -> {
                try {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        Socket socket = server.accept();
                        boolean singleBytes = i % 2 == 0;
                        Scenario.daemon("handler-" + i, () -> readToEndAndClose(socket, singleBytes, closed));
                    }
                } catch (Exception e) {
                    Scenario.fail("accept: " + e);
                }
            });
            for (int i = 0; i < CONNECTIONS; i++) {
                try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                    OutputStream out = client.getOutputStream();
                    out.write(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            if (!closed.await(60, TimeUnit.SECONDS)) {
                Scenario.fail("handlers did not close " + closed.getCount() + " connections");
            }
            Scenario.readyThenAwaitExit(server.getLocalPort(), 0);
        }
    }

    static void readToEndAndClose(Socket accepted, boolean singleBytes, CountDownLatch closed) {
        try (Socket socket = accepted) {
            InputStream in = socket.getInputStream();
            if (singleBytes) {
                while (in.read() != -1) {
                    // consume
                }
            } else {
                byte[] buffer = new byte[64];
                while (in.read(buffer) != -1) {
                    // consume
                }
            }
        } catch (Exception e) {
            Scenario.fail("handler: " + e);
        }
        closed.countDown();
    }
}
