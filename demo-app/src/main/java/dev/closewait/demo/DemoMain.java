package dev.closewait.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@link LeakyEchoServer}: a few well-behaved clients talk to it and hang up, which leaves the server's
 * sockets in CLOSE_WAIT. Run it under the agent and watch the reports; halfway through it shows the kernel's view
 * ({@code ss -tn state close-wait}), then closes one forgotten socket late.
 *
 * <p>Usage: {@code java -javaagent:closewait-agent.jar=grace=5s -jar closewait-demo.jar [clients] [seconds]}
 */
public final class DemoMain {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        try (LeakyEchoServer server = new LeakyEchoServer()) {
            // One println of the whole line: printf writes it in pieces, and the agent prints its start line from
            // its own thread meanwhile, which could then land in the middle of this one.
            System.out.println("demo: leaky echo server on 127.0.0.1:" + server.port() + "; " + clients
                    + " clients will talk to it and hang up");
            for (int i = 1; i <= clients; i++) {
                talk(server.port(), "hello from client " + i);
            }
            System.out.println("demo: the clients are gone, but the server never closed its side");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(8, seconds / 2)), deadline);
            KernelView.print(server.port());
            sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(2), deadline);
            System.out.println("demo: the server finally closes one forgotten socket");
            server.closeOneForgotten();
            sleepUntil(deadline, deadline);
            System.out.println("demo: done");
        }
    }

    private static void talk(int port, String message) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.println(message);
            System.out.println("demo: client got echo '" + in.readLine() + "'");
        }
    }

    private static void sleepUntil(long wakeAt, long deadline) throws InterruptedException {
        long until = Math.min(wakeAt, deadline);
        long remaining = until - System.nanoTime();
        if (remaining > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }
}
