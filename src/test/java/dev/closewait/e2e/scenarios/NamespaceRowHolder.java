package dev.closewait.e2e.scenarios;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills the network namespace it runs in with TCP rows owned by another process, the way a busy host's proxy or
 * database does: {@code args[0]} loopback connections held open (two rows each, both ends here) and {@code args[1]}
 * connections opened and closed, the client side first, each leaving a TIME_WAIT row for 60 s. Then keeps
 * {@code args[2]} threads busy (a loaded machine), prints {@code HOLDING rows=N} (the rows of /proc/net/tcp and
 * tcp6) and holds everything until its standard input closes. Run without the agent.
 */
public final class NamespaceRowHolder {

    private static final int SERVERS = 4;

    public static void main(String[] args) throws Exception {
        int established = Integer.parseInt(args[0]);
        int timeWait = Integer.parseInt(args[1]);
        int burners = Integer.parseInt(args[2]);
        List<ServerSocketChannel> servers = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(Scenario.loopback(), 0), 4096);
            servers.add(server);
        }
        List<SocketChannel> held = new ArrayList<>(2 * established);
        for (int i = 0; i < established; i++) {
            ServerSocketChannel server = servers.get(i % SERVERS);
            held.add(SocketChannel.open(server.getLocalAddress()));
            held.add(server.accept());
        }
        for (int i = 0; i < timeWait; i++) {
            ServerSocketChannel server = servers.get(i % SERVERS);
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            client.setOption(StandardSocketOptions.SO_LINGER, -1);
            client.close(); // the active closer keeps the TIME_WAIT row
            accepted.close();
        }
        for (int i = 0; i < burners; i++) {
            Thread burner = new Thread(NamespaceRowHolder::burn, "burner-" + i);
            burner.setDaemon(true);
            burner.start();
        }
        System.out.println("HOLDING rows=" + (rows("tcp") + rows("tcp6")) + " held=" + held.size());
        System.out.flush();
        System.in.transferTo(java.io.OutputStream.nullOutputStream()); // until the test closes our stdin
    }

    private static long rows(String table) throws IOException {
        try (var lines = Files.lines(Path.of("/proc/net", table), StandardCharsets.US_ASCII)) {
            return lines.count() - 1;
        }
    }

    private static void burn() {
        long x = 0;
        while (true) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            if (x == 42) {
                System.out.println(x);
            }
        }
    }
}
