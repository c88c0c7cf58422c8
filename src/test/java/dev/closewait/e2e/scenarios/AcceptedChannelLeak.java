package dev.closewait.e2e.scenarios;

import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A blocking channel server reads accepted channels to EOF (plain and scattering reads) and never closes them. */
public final class AcceptedChannelLeak {

    public static void main(String[] args) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open().bind(Scenario.loopback(0));
        int port = ((java.net.InetSocketAddress) server.getLocalAddress()).getPort();
        List<SocketChannel> forgotten = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (SocketChannel client = SocketChannel.open(Scenario.loopback(port))) {
                client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
            }
            SocketChannel accepted = server.accept();
            forgotten.add(accepted);
            if (i == 0) {
                readToEnd(accepted);
            } else {
                scatterToEnd(accepted);
            }
        }
        Scenario.readyThenAwaitExit(port, forgotten.size());
    }

    static void readToEnd(SocketChannel channel) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        while (channel.read(buffer) != -1) {
            buffer.clear();
        }
    }

    static void scatterToEnd(SocketChannel channel) throws Exception {
        ByteBuffer[] buffers = {ByteBuffer.allocate(2), ByteBuffer.allocate(64)};
        while (channel.read(buffers) != -1) {
            buffers[0].clear();
            buffers[1].clear();
        }
    }
}
