package dev.closewait.bench;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.Clock;
import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.KernelSnapshot;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketTracker;
import dev.closewait.kernel.KernelScan;
import dev.closewait.kernel.ProcFs;
import dev.closewait.kernel.ProcKernelView;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Workload (e), a child JVM with the agent's classes on its class path (not as an agent): holds N loopback
 * connections open (2 × N sockets, all this process's, in the namespace's TCP tables), then times the kernel scan
 * (reading /proc/self/fd and /proc/net/tcp{,6}, decoding this process's rows, joining them) as the agent's
 * closewait-kernel and closewait-detector threads do it. CPU time is the thread's own, kernel time included, since
 * most of a scan is the kernel generating the tables. Prints one RESULT line.
 */
public final class KernelScanCost {

    private static final long GRACE_NANOS = 30_000_000_000L; // the default grace
    private static final int WARM_UP = 5;
    private static final int SCANS = 20;

    private KernelScanCost() {
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Socket> open = new ArrayList<>(2 * connections);
        try (ServerSocket server = new ServerSocket(0, 1000, loopback)) {
            for (int i = 0; i < connections; i++) {
                open.add(new Socket(loopback, server.getLocalPort()));
                open.add(server.accept());
            }
        }
        long namespaceRows = Files.readAllLines(Path.of("/proc/net/tcp")).size()
                + Files.readAllLines(Path.of("/proc/net/tcp6")).size() - 2;

        Clock clock = Clock.system();
        SocketTracker tracker = new SocketTracker(clock, watching -> { });
        LeakDetector detector = new LeakDetector(tracker, GRACE_NANOS, new Silent(), new AgentErrors(line -> { }));
        KernelScan scan = new KernelScan(new ProcKernelView(ProcFs.system()), new KernelLeakFinder(detector),
                GRACE_NANOS);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> cpuMillis = new ArrayList<>();
        List<Double> wallMillis = new ArrayList<>();
        int ownRows = 0;
        for (int i = 0; i < WARM_UP + SCANS; i++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            KernelSnapshot snapshot = scan.read();
            scan.join(snapshot);
            if (i >= WARM_UP) {
                cpuMillis.add((threads.getCurrentThreadCpuTime() - cpu) / 1e6);
                wallMillis.add((System.nanoTime() - wall) / 1e6);
                ownRows = snapshot.tcpSockets().size();
            }
        }
        double interval = KernelScan.intervalNanos(GRACE_NANOS) / 1e6;
        double cpu = Stats.median(cpuMillis);
        System.out.printf("RESULT sockets=%d ownRows=%d namespaceRows=%d cpuMs=%.2f wallMs=%.2f intervalMs=%.0f "
                        + "share=%.4f%n", open.size(), ownRows, namespaceRows, cpu, Stats.median(wallMillis), interval,
                cpu / interval);
    }

    private static final class Silent implements LeakListener {
        @Override
        public void leakDetected(Leak leak) {
        }

        @Override
        public void leakResolved(LeakOutcome outcome) {
        }
    }
}
