package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * JDK 21+: a server handles each connection on a virtual thread, reads to EOF and never closes. Compiled for 17, so
 * the virtual-thread executor is looked up reflectively.
 */
public final class VirtualThreadLeak {

    public static void main(String[] args) throws Exception {
        ExecutorService virtualThreads = (ExecutorService) Executors.class
                .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        ServerSocket server = Scenario.serverSocket();
        List<Socket> forgotten = new CopyOnWriteArrayList<>();
        CountDownLatch endOfStreams = new CountDownLatch(2);
        virtualThreads.submit(() -> {
            for (int i = 0; i < 2; i++) {
                Socket socket = server.accept();
                forgotten.add(socket);
                virtualThreads.submit(() -> readToEnd(socket, endOfStreams));
            }
            return null;
        });
        for (int i = 0; i < 2; i++) {
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!endOfStreams.await(60, TimeUnit.SECONDS)) {
            Scenario.fail("virtual threads read no EOF");
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), 2);
    }

    static Void readToEnd(Socket socket, CountDownLatch endOfStreams) throws Exception {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64];
        while (in.read(buffer) != -1) {
            // consume
        }
        endOfStreams.countDown(); // the bug: no socket.close()
        return null;
    }
}
