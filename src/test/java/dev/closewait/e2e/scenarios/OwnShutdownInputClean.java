package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server shuts its own input down and then reads (getting -1 at once): that EOF is the application's doing, not
 * the peer's. It keeps the socket open for longer than the grace period while the client stays connected and idle,
 * then both close.
 */
public final class OwnShutdownInputClean {

    static final long HOLD_MILLIS = 2500;

    public static void main(String[] args) throws Exception {
        CountDownLatch serverDone = new CountDownLatch(1);
        CountDownLatch clientMayClose = new CountDownLatch(1);
        try (ServerSocket server = Scenario.serverSocket()) {
            Scenario.daemon("server", () -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream(); // before shutdownInput(), which forbids asking for it
                    socket.shutdownInput();
                    if (in.read() != -1) {
                        Scenario.fail("read after shutdownInput() did not return -1");
                    }
                    clientMayClose.await(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    Scenario.fail("server: " + e);
                }
                serverDone.countDown();
            });
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                Thread.sleep(HOLD_MILLIS); // connected and idle
                clientMayClose.countDown();
                if (!serverDone.await(60, TimeUnit.SECONDS)) {
                    Scenario.fail("server did not close");
                }
            }
            Scenario.readyThenAwaitExit(server.getLocalPort(), 0);
        }
    }
}
