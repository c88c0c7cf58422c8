package dev.closewait.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Workload (d), the measured child JVM: opens N loopback connections to a {@link PeerServer} (N client sockets,
 * all tracked when the agent is loaded), keeps them open, and prints the used heap after a full GC: before,
 * right after opening, and six seconds later (once the agent's detector has run). Then it waits for a line on standard input (so that the parent can take a class histogram) and exits.
 */
public final class OpenSockets {

    private static final long TIME_LIMIT_NANOS = 240_000_000_000L;
    private static final long SETTLE_MILLIS = 6_000;

    private OpenSockets() {
    }

    /** Arguments: N, then the peer's ports separated by commas. */
    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int[] ports = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        // One connection first, so that one-time costs (class loading, the agent's lazy set-up) are in the baseline:
        // they are not per socket. They show as the difference between the two modes' baselines.
        new Socket(loopback, ports[0]).close();
        long before = usedHeapAfterGc();
        long deadline = System.nanoTime() + TIME_LIMIT_NANOS;
        List<Socket> clients = new ArrayList<>(connections);
        String problem = "none";
        long openStart = System.nanoTime();
        try {
            for (int i = 0; i < connections && System.nanoTime() < deadline; i++) {
                clients.add(new Socket(loopback, ports[i % ports.length]));
            }
        } catch (IOException e) {
            problem = e.toString().replace(' ', '_');
        }
        long openNanos = System.nanoTime() - openStart;
        long opened = usedHeapAfterGc();
        // The agent's detector (every 5 s at the default grace) replaces the stacks of open sockets by shared ones.
        Thread.sleep(SETTLE_MILLIS);
        long after = usedHeapAfterGc();
        System.out.println("RESULT connections=" + clients.size() + " heapBefore=" + before + " heapOpened="
                + opened + " heapAfter=" + after + " openMillis=" + openNanos / 1_000_000 + " problem=" + problem);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        for (Socket socket : clients) {
            socket.close();
        }
    }
    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
