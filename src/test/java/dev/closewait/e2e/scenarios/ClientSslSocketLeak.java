package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS clients read the server's goodbye to EOF (the server's close_notify) and never close. A client socket's impl
 * is wrapped (SocksSocketImpl), which the agent must see through.
 */
public final class ClientSslSocketLeak {

    public static void main(String[] args) throws Exception {
        SSLServerSocket server = (SSLServerSocket) SSLServerSocketFactory.getDefault()
                .createServerSocket(0, 50, Scenario.loopback());
        Scenario.daemon("tls-server", () -> {
            try {
                while (true) {
                    try (Socket socket = server.accept()) {
                        socket.getOutputStream().write("bye".getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (Exception e) {
                // closed at exit
            }
        });
        List<SSLSocket> forgotten = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SSLSocket client = (SSLSocket) SSLSocketFactory.getDefault()
                    .createSocket(Scenario.loopback(), server.getLocalPort());
            forgotten.add(client);
            readToEnd(client.getInputStream());
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), forgotten.size());
    }

    static void readToEnd(InputStream in) throws Exception {
        byte[] buffer = new byte[16];
        while (in.read(buffer) != -1) {
            // consume
        }
    }
}
