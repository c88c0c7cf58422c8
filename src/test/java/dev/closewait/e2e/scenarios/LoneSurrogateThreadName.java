package dev.closewait.e2e.scenarios;

import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * From /work/shared/cases/LoneSurrogateThreadName.java: three accepted sockets read EOF and are never closed, each on
 * its own thread; the second thread's name holds a lone UTF-16 surrogate, the third's an ESC sequence and a newline.
 * Failed 2026-11-30: at most two of three JSON lines, then "cannot append to the JSON report: Input length = 1" and
 * no JSON report for the rest of the JVM's life.
 */
public final class LoneSurrogateThreadName {

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        List<Socket> forgotten = new CopyOnWriteArrayList<>();
        for (String name : new String[] {"handler-before", "handler-\uD800", "handler-\u001b[31mred\nWARN forged"}) {
            Thread handler = new Thread(() -> {
                try {
                    Socket accepted = server.accept();
                    forgotten.add(accepted);
                    accepted.getInputStream().read(); // EOF, never closed
                } catch (Exception e) {
                    Scenario.fail("handler: " + e);
                }
            }, name);
            handler.start();
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                // connect, then close: the handler reads EOF
            }
            handler.join();
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), 3);
    }
}
