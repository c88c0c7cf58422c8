package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Clients that read, slowly, a response the server sent in full and closed at once: in CLOSE_WAIT for three times
 * the suite's 1 s grace, and reading all the while (1 KiB every 100 ms), then EOF and close. A {@code Socket} and a
 * {@code SocketChannel}, at the same time. Found 2026-12-02: such a client was reported as a close-wait leak "never
 * read from again" while it read.
 */
public final class SlowReaderClean {

    static final int RESPONSE_BYTES = 30 * 1024;
    static final int CHUNK = 1024;
    static final long CHUNK_EVERY_MILLIS = 100;

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = Scenario.serverSocket()) {
            Thread serving = Scenario.daemon("server", () -> {
                try {
                    for (int i = 0; i < 2; i++) {
                        try (Socket socket = server.accept()) {
                            socket.getOutputStream().write(new byte[RESPONSE_BYTES]); // then closed: FIN after data
                        }
                    }
                } catch (Exception e) {
                    Scenario.fail("server: " + e);
                }
            });
            long[] read = new long[2];
            Thread socketReader = Scenario.daemon("socket-reader", () -> {
                try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                    InputStream in = client.getInputStream();
                    byte[] buffer = new byte[CHUNK];
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        read[0] += n;
                        Thread.sleep(CHUNK_EVERY_MILLIS);
                    }
                } catch (Exception e) {
                    Scenario.fail("socket reader: " + e);
                }
            });
            Thread channelReader = Scenario.daemon("channel-reader", () -> {
                try (SocketChannel client = SocketChannel.open(Scenario.loopback(server.getLocalPort()))) {
                    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
                    int n;
                    while ((n = client.read(buffer.clear())) != -1) {
                        read[1] += n;
                        Thread.sleep(CHUNK_EVERY_MILLIS);
                    }
                } catch (Exception e) {
                    Scenario.fail("channel reader: " + e);
                }
            });
            socketReader.join(30_000);
            channelReader.join(30_000);
            serving.join(10_000);
            if (read[0] != RESPONSE_BYTES || read[1] != RESPONSE_BYTES) {
                Scenario.fail("incomplete responses: " + read[0] + ", " + read[1]);
            }
            Scenario.readyThenAwaitExit(server.getLocalPort(), 0);
        }
    }
}
