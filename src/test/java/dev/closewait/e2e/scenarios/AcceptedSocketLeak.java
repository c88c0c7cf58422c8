package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Server handlers read accepted sockets to EOF (one with read(), one with read(byte[])) and never close them. */
public final class AcceptedSocketLeak {

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        List<Socket> forgotten = new CopyOnWriteArrayList<>(); // still referenced: GC must not close them
        CountDownLatch endOfStreams = new CountDownLatch(2);
        Scenario.daemon("acceptor", () -> {
            try {
                for (int i = 0; i < 2; i++) {
                    Socket socket = server.accept();
                    forgotten.add(socket);
                    boolean singleBytes = i == 0;
                    Scenario.daemon("handler-" + i, () -> readToEndWithoutClose(socket, singleBytes, endOfStreams));
                }
            } catch (Exception e) {
                Scenario.fail("accept: " + e);
            }
        });
        for (int i = 0; i < 2; i++) {
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                OutputStream out = client.getOutputStream();
                out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
        if (!endOfStreams.await(60, TimeUnit.SECONDS)) {
            Scenario.fail("handlers did not read EOF");
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), 2);
    }

    static void readToEndWithoutClose(Socket socket, boolean singleBytes, CountDownLatch endOfStreams) {
        try {
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
            endOfStreams.countDown(); // the bug: no socket.close()
        } catch (Exception e) {
            Scenario.fail("read: " + e);
        }
    }
}
