package dev.closewait.e2e.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Asynchronous socket channels used correctly, in two ways that once made the agent report leaks:
 * <ul>
 *   <li>A keep-alive client: requests whose replies come 100 ms later, so each read first finds no data
 *   ({@code IOUtil.read} answers {@code IOStatus.UNAVAILABLE}, -2, which the agent took for EOF), by Future and by
 *   CompletionHandler; the connection then stays open and idle, as in a pool.</li>
 *   <li>Connections refused at once (a port nobody listens on), each channel closed by the application; the JDK had
 *   already closed it inside {@code connect}, before the agent's open hook ran, so the application's close raised no
 *   event and the channel was later reported as collected without close.</li>
 * </ul>
 */
public final class AsyncChannelsClean {

    static final int REQUESTS = 4;
    static final int REFUSED = 10;
    static final long REPLY_DELAY_MILLIS = 100;

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = Scenario.serverSocket();
             AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
            Thread serving = new Thread(() -> answerLate(server), "slow-server");
            serving.setDaemon(true);
            serving.start();
            client.connect(Scenario.loopback(server.getLocalPort())).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < REQUESTS; i++) {
                client.write(ByteBuffer.wrap(new byte[] {'p'})).get(30, TimeUnit.SECONDS);
                ByteBuffer reply = ByteBuffer.allocate(1);
                int n = i % 2 == 0 ? client.read(reply).get(30, TimeUnit.SECONDS) : readWithHandler(client, reply);
                if (n != 1) {
                    Scenario.fail("reply " + i + ": read returned " + n);
                }
            }
            refusedConnectionsClosed();
            System.gc(); // a refused channel left tracked would now be collected and reported
            Scenario.readyThenAwaitExit(server.getLocalPort(), 0);
        }
    }

    private static int readWithHandler(AsynchronousSocketChannel client, ByteBuffer reply) throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        client.read(reply, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void attachment) {
                done.complete(n);
            }

            @Override
            public void failed(Throwable failure, Void attachment) {
                done.completeExceptionally(failure);
            }
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    /** One byte back for each byte, 100 ms late, until the client closes (it never does before exit). */
    private static void answerLate(ServerSocket server) {
        try (Socket accepted = server.accept()) {
            InputStream in = accepted.getInputStream();
            OutputStream out = accepted.getOutputStream();
            for (int i = 0; i < REQUESTS && in.read() >= 0; i++) {
                Thread.sleep(REPLY_DELAY_MILLIS);
                out.write('!');
            }
            in.read(); // idle until the JVM exits: the connection stays open, as a pooled one would
        } catch (IOException | InterruptedException e) {
            // the scenario checks the replies
        }
    }

    private static void refusedConnectionsClosed() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket closed = Scenario.serverSocket()) {
            nobody = Scenario.loopback(closed.getLocalPort());
        }
        for (int i = 0; i < REFUSED; i++) {
            AsynchronousSocketChannel channel = AsynchronousSocketChannel.open();
            try {
                channel.connect(nobody).get(30, TimeUnit.SECONDS);
                Scenario.fail("connected to a closed port");
            } catch (ExecutionException refused) {
                // ConnectException: Connection refused
            } finally {
                channel.close();
            }
        }
    }
}
