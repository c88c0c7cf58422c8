package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Blocking SocketChannels done right: handlers read to EOF (through read(ByteBuffer), a scattering read, and the
 * socket adaptor's stream in turn) and close; channel clients send a line and close.
 */
public final class ProperCloseChannelClean {

    static final int CONNECTIONS = 30;

    public static void main(String[] args) throws Exception {
        CountDownLatch closed = new CountDownLatch(CONNECTIONS);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(Scenario.loopback(0))) {
            int port = server.socket().getLocalPort();
            Scenario.daemon("acceptor", () -> {
                try {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        SocketChannel channel = server.accept();
                        int readPath = i % 3;
                        Scenario.daemon("handler-" + i, () -> readToEndAndClose(channel, readPath, closed));
                    }
                } catch (Exception e) {
                    Scenario.fail("accept: " + e);
                }
            });
            for (int i = 0; i < CONNECTIONS; i++) {
                try (SocketChannel client = SocketChannel.open(Scenario.loopback(port))) {
                    ByteBuffer line = ByteBuffer.wrap(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    while (line.hasRemaining()) {
                        client.write(line);
                    }
                }
            }
            if (!closed.await(60, TimeUnit.SECONDS)) {
                Scenario.fail("handlers did not close " + closed.getCount() + " connections");
            }
            Scenario.readyThenAwaitExit(port, 0);
        }
    }

    static void readToEndAndClose(SocketChannel accepted, int readPath, CountDownLatch closed) {
        try (SocketChannel channel = accepted) {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            switch (readPath) {
                case 0 -> {
                    while (channel.read(buffer.clear()) != -1) {
                        // consume
                    }
                }
                case 1 -> {
                    ByteBuffer[] buffers = {ByteBuffer.allocate(4), ByteBuffer.allocate(60)};
                    while (channel.read(buffers) != -1) {
                        buffers[0].clear();
                        buffers[1].clear();
                    }
                }
                default -> {
                    InputStream in = channel.socket().getInputStream();
                    while (in.read(new byte[64]) != -1) {
                        // consume
                    }
                }
            }
        } catch (Exception e) {
            Scenario.fail("handler: " + e);
        }
        closed.countDown();
    }
}
