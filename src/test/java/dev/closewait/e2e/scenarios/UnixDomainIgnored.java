package dev.closewait.e2e.scenarios;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Unix-domain channels are out of the agent's scope: a handler that reads them to EOF and never closes them (the
 * very bug the agent reports on TCP) must go unreported. There is no TCP port, so READY says port 0.
 */
public final class UnixDomainIgnored {

    static final int CONNECTIONS = 3;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("closewait-unix");
        Path file = dir.resolve("server.sock");
        List<SocketChannel> forgotten = new CopyOnWriteArrayList<>(); // still referenced: GC must not close them
        CountDownLatch endOfStreams = new CountDownLatch(CONNECTIONS);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(file));
            Scenario.daemon("acceptor", () -> {
                try {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        SocketChannel channel = server.accept();
                        forgotten.add(channel);
                        Scenario.daemon("handler-" + i, () -> readToEndWithoutClose(channel, endOfStreams));
                    }
                } catch (Exception e) {
                    Scenario.fail("accept: " + e);
                }
            });
            for (int i = 0; i < CONNECTIONS; i++) {
                try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
                    client.write(ByteBuffer.wrap(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8)));
                }
            }
            if (!endOfStreams.await(60, TimeUnit.SECONDS)) {
                Scenario.fail("handlers did not read EOF");
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        Scenario.readyThenAwaitExit(0, 0);
    }

    static void readToEndWithoutClose(SocketChannel channel, CountDownLatch endOfStreams) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            while (channel.read(buffer.clear()) != -1) {
                // consume
            }
            endOfStreams.countDown(); // deliberately never closed
        } catch (Exception e) {
            Scenario.fail("read: " + e);
        }
    }
}
