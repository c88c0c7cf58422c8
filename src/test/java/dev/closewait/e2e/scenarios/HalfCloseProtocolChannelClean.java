package dev.closewait.e2e.scenarios;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * {@link HalfCloseProtocolClean} over blocking SocketChannels: request, shutdownOutput(), then an answer that goes
 * on for longer than the grace period after the server read EOF, then close on both sides.
 */
public final class HalfCloseProtocolChannelClean {

    public static void main(String[] args) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(Scenario.loopback(0))) {
            int port = server.socket().getLocalPort();
            Thread serving = Scenario.daemon("server", () -> {
                try (SocketChannel channel = server.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    while (channel.read(buffer.clear()) != -1) {
                        // the request, up to the client's shutdownOutput()
                    }
                    long chunks = HalfCloseProtocolClean.ANSWER_MILLIS / HalfCloseProtocolClean.CHUNK_EVERY_MILLIS;
                    for (int i = 0; i < chunks; i++) {
                        writeFully(channel, "chunk " + i + "\n");
                        Thread.sleep(HalfCloseProtocolClean.CHUNK_EVERY_MILLIS);
                    }
                } catch (Exception e) {
                    Scenario.fail("server: " + e);
                }
            });
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try (SocketChannel client = SocketChannel.open(Scenario.loopback(port))) {
                writeFully(client, "request\n");
                client.shutdownOutput();
                ByteBuffer buffer = ByteBuffer.allocate(256);
                while (client.read(buffer.clear()) != -1) {
                    answer.write(buffer.array(), 0, buffer.position());
                }
            }
            serving.join(10_000);
            String text = answer.toString(StandardCharsets.UTF_8);
            if (serving.isAlive() || !text.endsWith("chunk 24\n")) {
                Scenario.fail("incomplete answer: " + text);
            }
            Scenario.readyThenAwaitExit(port, 0);
        }
    }

    static void writeFully(SocketChannel channel, String text) throws Exception {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
