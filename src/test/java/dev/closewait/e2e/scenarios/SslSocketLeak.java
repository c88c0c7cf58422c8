package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS server reads accepted SSL sockets to EOF, which the client's close() (close_notify, then FIN) causes, and
 * never closes them. Key and trust store come from the javax.net.ssl.* system properties the test sets.
 */
public final class SslSocketLeak {

    public static void main(String[] args) throws Exception {
        SSLServerSocket server = (SSLServerSocket) SSLServerSocketFactory.getDefault()
                .createServerSocket(0, 50, Scenario.loopback());
        List<Socket> forgotten = new CopyOnWriteArrayList<>();
        CountDownLatch endOfStreams = new CountDownLatch(1);
        Scenario.daemon("tls-acceptor", () -> {
            try {
                Socket socket = server.accept();
                forgotten.add(socket);
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[64];
                while (in.read(buffer) != -1) {
                    // consume
                }
                endOfStreams.countDown(); // the bug: no socket.close()
            } catch (Exception e) {
                Scenario.fail("tls server: " + e);
            }
        });
        try (SSLSocket client = (SSLSocket) SSLSocketFactory.getDefault()
                .createSocket(Scenario.loopback(), server.getLocalPort())) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            client.getOutputStream().flush();
        }
        if (!endOfStreams.await(60, TimeUnit.SECONDS)) {
            Scenario.fail("the TLS server read no EOF");
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), 1);
    }
}
