package dev.closewait.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Workload (a) at the macro level, a child JVM that {@link ChurnCpuBench} drives batch by batch: it reads commands on
 * standard input, one per line, and answers each on standard output.
 *
 * <ul>
 *   <li>{@code run N}: runs the {@link ChurnExchange} N times (client and server both in this JVM), then prints
 *   {@code DONE cpuNanos=C wallNanos=W}: the process's CPU time so far (all live threads: client, server, JIT, GC
 *   and the agent's, ns; see {@link #processCpuNanos}) and {@code System.nanoTime()}.</li>
 *   <li>{@code quit}: closes the server socket and exits.</li>
 * </ul>
 *
 * The CPU time is cumulative on purpose: the bench takes the difference between two answers, so that whatever the
 * process does between batches (the agent's detector and kernel scans, GC, JIT) is charged to the next batch.
 */
public final class ChurnLoop {

    private ChurnLoop() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocket server = new ServerSocket(0, 1024, loopback);
        Thread serverThread = new Thread(() -> serve(server), "bench-churn-server");
        serverThread.setDaemon(true);
        serverThread.start();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = commands.readLine(); line != null && !line.equals("quit"); line = commands.readLine()) {
            if (!line.startsWith("run ")) {
                throw new IllegalArgumentException("unknown command: " + line);
            }
            run(loopback, server.getLocalPort(), Integer.parseInt(line.substring(4).trim()));
            System.out.println("DONE cpuNanos=" + processCpuNanos() + " wallNanos=" + System.nanoTime());
            System.out.flush();
        }
        server.close();
    }

    /**
     * The CPU time of the process's live threads, ns: the sum of the first field of every
     * {@code /proc/self/task/TID/schedstat} (proc(5): time spent on the CPU, ns). {@code getProcessCpuTime} counts
     * in scheduler ticks here (10 ms: 2 µs per connection of a 5,000-connection batch); threads that exited are
     * left out, and the loop starts none.
     */
    private static long processCpuNanos() throws IOException {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    sum += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                } catch (IOException | RuntimeException gone) {
                    // the thread exited while listed
                }
            }
        }
        return sum;
    }

    private static void run(InetAddress loopback, int port, int connections) throws IOException {
        for (int i = 0; i < connections; i++) {
            ChurnExchange.request(loopback, port);
        }
    }

    private static void serve(ServerSocket server) {
        byte[] buffer = new byte[256];
        while (true) {
            try (Socket accepted = server.accept()) {
                ChurnExchange.answer(accepted, buffer);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }
}
