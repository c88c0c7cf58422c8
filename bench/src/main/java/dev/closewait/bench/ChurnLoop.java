package dev.closewait.bench;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Workload (a) at the macro level, a child JVM: the same {@link ChurnExchange} as {@link ChurnBenchmark}, N times
 * after N warm-up connections, printing the process's CPU time (all threads: client, server, JIT, GC and the
 * agent's) and the wall time per connection. CPU time is less disturbed than wall time by other load on the host.
 */
public final class ChurnLoop {

    private ChurnLoop() {
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocket server = new ServerSocket(0, 1024, loopback);
        Thread serverThread = new Thread(() -> serve(server), "bench-churn-server");
        serverThread.setDaemon(true);
        serverThread.start();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        run(loopback, server.getLocalPort(), connections);
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        run(loopback, server.getLocalPort(), connections);
        System.out.printf("RESULT cpuMicrosPerConnection=%.3f wallMicrosPerConnection=%.3f%n",
                (os.getProcessCpuTime() - cpu) / 1e3 / connections, (System.nanoTime() - wall) / 1e3 / connections);
        server.close();
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
