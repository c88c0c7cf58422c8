package dev.closewait.e2e.scenarios;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A half-close protocol over java.net.Socket: the client sends its request and shuts its output down; the server
 * reads to EOF, then keeps answering for longer than the grace period before it closes. The client reads the whole
 * answer to EOF and closes.
 */
public final class HalfCloseProtocolClean {

    /** Longer than the 1 s grace the suite runs with: writes after EOF must keep the socket out of the report. */
    static final long ANSWER_MILLIS = 2500;
    static final long CHUNK_EVERY_MILLIS = 100;

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = Scenario.serverSocket()) {
            Thread serving = Scenario.daemon("server", () -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    while (in.read() != -1) {
                        // the request, up to the client's shutdownOutput()
                    }
                    OutputStream out = socket.getOutputStream();
                    long chunks = ANSWER_MILLIS / CHUNK_EVERY_MILLIS;
                    for (int i = 0; i < chunks; i++) {
                        out.write(("chunk " + i + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        Thread.sleep(CHUNK_EVERY_MILLIS);
                    }
                } catch (Exception e) {
                    Scenario.fail("server: " + e);
                }
            });
            String answer;
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                client.getOutputStream().write("request\n".getBytes(StandardCharsets.UTF_8));
                client.shutdownOutput();
                answer = readToEnd(client.getInputStream());
            }
            serving.join(10_000);
            if (serving.isAlive() || !answer.endsWith("chunk 24\n")) {
                Scenario.fail("incomplete answer: " + answer);
            }
            Scenario.readyThenAwaitExit(server.getLocalPort(), 0);
        }
    }

    static String readToEnd(InputStream in) throws Exception {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        int n;
        while ((n = in.read(buffer)) != -1) {
            answer.write(buffer, 0, n);
        }
        return answer.toString(StandardCharsets.UTF_8);
    }
}
