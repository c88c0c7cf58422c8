package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS client keeps its connection after a request/response; the server closes it shortly after (close_notify,
 * then FIN). The client never reads again, so only the kernel knows: its socket sits in CLOSE_WAIT.
 */
public final class IdleTlsClientLeak {

    public static void main(String[] args) throws Exception {
        SSLServerSocket server = (SSLServerSocket) SSLServerSocketFactory.getDefault()
                .createServerSocket(0, 50, Scenario.loopback());
        Scenario.daemon("tls-server", () -> {
            try {
                while (true) {
                    try (Socket socket = server.accept()) {
                        socket.getInputStream().read(new byte[16]);
                        socket.getOutputStream().write("pong".getBytes(StandardCharsets.UTF_8));
                        socket.getOutputStream().flush();
                        Scenario.sleep(200); // idle timeout: the server closes
                    }
                }
            } catch (Exception e) {
                // closed at exit
            }
        });
        List<Socket> idle = new ArrayList<>();
        idle.add(requestOnce(server.getLocalPort()));
        Scenario.readyThenAwaitExit(server.getLocalPort(), idle.size());
    }

    static SSLSocket requestOnce(int port) throws Exception {
        SSLSocket client = (SSLSocket) SSLSocketFactory.getDefault().createSocket(Scenario.loopback(), port);
        OutputStream out = client.getOutputStream();
        out.write("ping".getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = client.getInputStream();
        byte[] pong = new byte[4];
        int read = 0;
        while (read < pong.length) {
            read += in.read(pong, read, pong.length - read);
        }
        return client; // kept for "later", never read again
    }
}
