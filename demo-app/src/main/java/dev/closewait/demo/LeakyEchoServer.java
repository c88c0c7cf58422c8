package dev.closewait.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An echo server with the classic bug: the handler returns when the client hangs up (readLine() gives null) but
 * never closes the socket, so every finished connection stays in CLOSE_WAIT.
 */
final class LeakyEchoServer implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "echo-handler");
        thread.setDaemon(true);
        return thread;
    });
    /** Kept only so the demo can close them later; the JDK would otherwise close them silently at GC. */
    private final List<Socket> forgotten = new CopyOnWriteArrayList<>();

    LeakyEchoServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "echo-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                forgotten.add(socket);
                handlers.execute(() -> handle(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
            }
            // BUG: the client hung up and we return without socket.close().
        } catch (IOException e) {
            System.out.println("handler failed: " + e);
        }
    }

    /** The fix arriving late: close one forgotten socket, which closewait reports as closed after the leak. */
    void closeOneForgotten() throws IOException {
        if (!forgotten.isEmpty()) {
            forgotten.remove(0).close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        handlers.shutdownNow();
    }
}
