package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every accepted socket is read on one thread and closed from another at a random moment, before, during or after
 * the client's hang-up and the reader's EOF; some readers also shut their input down. All sockets end closed, so
 * nothing may be reported: a lost or misordered close would show up as a leak. Fixed count: 4 rounds of 150.
 */
public final class CloseRacesEof {

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        ExecutorService threads = Executors.newFixedThreadPool(16);
        for (int round = 0; round < 4; round++) {
            int connections = 150;
            CountDownLatch done = new CountDownLatch(connections * 2);
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Socket client = new Socket(Scenario.loopback(), server.getLocalPort());
                clients.add(client);
                Socket accepted = server.accept();
                boolean shutdownInput = i % 5 == 0;
                threads.execute(() -> {
                    try {
                        if (shutdownInput) {
                            accepted.shutdownInput();
                        }
                        InputStream in = accepted.getInputStream();
                        while (in.read() != -1) {
                            // consume
                        }
                    } catch (Exception closedUnderneath) {
                        // the closer won the race
                    } finally {
                        done.countDown();
                    }
                });
                threads.execute(() -> {
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                        accepted.close();
                    } catch (Exception e) {
                        Scenario.fail("close: " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            for (Socket client : clients) {
                try {
                    client.getOutputStream().write(1);
                } catch (Exception closedByServer) {
                    // the server side may be closed already
                }
                client.close();
            }
            if (!done.await(20, TimeUnit.SECONDS)) {
                Scenario.fail("round " + round + " did not finish: deadlock?");
            }
        }
        threads.shutdown();
        Scenario.readyThenAwaitExit(server.getLocalPort(), 0);
    }
}
