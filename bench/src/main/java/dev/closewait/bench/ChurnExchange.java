package dev.closewait.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;

/**
 * The exchange of workload (a), shared by {@link ChurnBenchmark} (JMH) and {@link ChurnLoop} (whole JVM) so that both
 * measure exactly the same thing: the client connects, sends a small request, reads the one-byte reply and closes;
 * the server reads the request, replies, reads to EOF and closes. The agent sees two opens, one EOF and two closes.
 */
final class ChurnExchange {

    private static final byte[] REQUEST = "GET /x\r\n".getBytes();

    private ChurnExchange() {
    }

    /** The client's side of one connection; returns the reply byte. */
    static int request(InetAddress host, int port) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.getOutputStream().write(REQUEST);
            return socket.getInputStream().read();
        }
    }

    /** The server's side of one accepted connection (closed by the caller). */
    static void answer(Socket accepted, byte[] buffer) throws IOException {
        InputStream in = accepted.getInputStream();
        int got = 0;
        while (got < REQUEST.length) {
            int n = in.read(buffer, 0, REQUEST.length - got);
            if (n < 0) {
                break;
            }
            got += n;
        }
        accepted.getOutputStream().write(1);
        while (in.read(buffer) >= 0) {
            // drain to EOF: the client closes after the reply
        }
    }
}
