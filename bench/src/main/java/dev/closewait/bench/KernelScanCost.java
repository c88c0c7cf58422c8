package dev.closewait.bench;

import dev.closewait.bootstrap.JdkFields;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.Clock;
import dev.closewait.core.Endpoints;
import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.SocketType;
import dev.closewait.core.UntrackedSockets;
import dev.closewait.jdk.PollProbe;
import dev.closewait.kernel.KernelScan;
import dev.closewait.kernel.ProcFs;
import dev.closewait.kernel.ProcKernelView;
import dev.closewait.kernel.ThreadCpu;

import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Workload (e), a child JVM with the agent's classes on its class path (not as an agent), run as root inside a
 * network namespace of its own ({@code unshare -n}, loopback up; {@code bench/run} does this):
 * {@code KernelScanCost <connections> <timeWaitRows>}. It first fills the namespace with {@code timeWaitRows}
 * TIME_WAIT rows (connections opened and closed, owned by no process, as a busy host's), then holds
 * {@code connections} loopback connections (both ends here, each tracked as the agent tracks them) and runs the
 * kernel view exactly as the agent's threads do: probe rounds ({@link KernelLeakFinder#probe()}, one poll per tracked
 * socket) and table scans ({@link KernelScan#read()} and the join). It reports the CPU time of each (the thread's
 * own, kernel time included), the share of a core at the default grace, and the heap the tracking and the kernel
 * view keep per tracked socket (used heap after full GCs, minus before tracking). Needs
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED
 * --add-opens java.base/java.net=ALL-UNNAMED} (the agent opens these to itself). Prints one RESULT line.
 */
public final class KernelScanCost {

    private static final long GRACE_NANOS = 30_000_000_000L; // the default grace
    private static final int WARM_UP = 5;
    private static final int ROUNDS = 20;

    private KernelScanCost() {
    }

    public static void main(String[] args) throws Throwable {
        int connections = Integer.parseInt(args[0]);
        int timeWait = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        List<SocketChannel> open = new ArrayList<>(2 * connections);
        List<ServerSocketChannel> servers = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // four destinations: enough ports for 100,000 TIME_WAIT rows
            servers.add(ServerSocketChannel.open().bind(loopback, 4096));
        }
        try (ServerSocketChannel server = servers.get(0)) {
            for (int i = 0; i < timeWait; i++) {
                ServerSocketChannel destination = servers.get(i % servers.size());
                SocketChannel client = SocketChannel.open(destination.getLocalAddress());
                SocketChannel accepted = destination.accept();
                client.setOption(StandardSocketOptions.SO_LINGER, -1);
                client.close(); // the client closes first: a TIME_WAIT row, no descriptor
                accepted.close();
            }
            for (int i = 0; i < connections; i++) {
                open.add(SocketChannel.open(server.getLocalAddress()));
                open.add(server.accept());
            }
        }
        for (ServerSocketChannel other : servers.subList(1, servers.size())) {
            other.close();
        }
        long namespaceRows = rows("tcp") + rows("tcp6");

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // A throw-away run first, so that loading classes, linking handles and JIT compiling count for nothing.
        KernelView warmUp = KernelView.tracking(open);
        for (int i = 0; i < WARM_UP; i++) {
            warmUp.round();
        }
        warmUp = null;
        long heapBefore = usedHeapAfterGc(memory);
        KernelView view = KernelView.tracking(open);
        SocketTracker tracker = view.tracker;
        KernelLeakFinder finder = view.finder;
        KernelScan scan = view.scan;
        long scanInterval = KernelScan.intervalNanos(GRACE_NANOS);

        List<Double> probeCpu = new ArrayList<>();
        List<Double> scanCpu = new ArrayList<>();
        List<Double> firstScanCpu = new ArrayList<>();
        boolean tablesReadInSteadyState = false;
        for (int i = 0; i < WARM_UP + ROUNDS; i++) {
            long cpu = ThreadCpu.nanos();
            finder.probe();
            double probeMillis = (ThreadCpu.nanos() - cpu) / 1e6;
            var snapshot = scan.read();
            scan.join(snapshot);
            double scanMillis = scan.lastCpuNanos() / 1e6;
            if (i == 0) {
                firstScanCpu.add(scanMillis);
            }
            if (i >= WARM_UP) {
                probeCpu.add(probeMillis);
                scanCpu.add(scanMillis);
                tablesReadInSteadyState |= snapshot.tablesRead();
            }
        }
        long heapAfter = usedHeapAfterGc(memory);
        double perSocket = (double) (heapAfter - heapBefore) / open.size();
        // A full table read, as when an untracked socket could still leak (after attach, say).
        List<Double> fullReadCpu = new ArrayList<>();
        ProcKernelView procView = new ProcKernelView(ProcFs.system());
        for (int i = 0; i < 5; i++) {
            long cpu = ThreadCpu.nanos();
            procView.snapshot(new java.util.BitSet(), fds -> true);
            fullReadCpu.add((ThreadCpu.nanos() - cpu) / 1e6);
        }

        double probeInterval = KernelLeakFinder.probeIntervalNanos(GRACE_NANOS) / 1e6;
        double probe = Stats.median(probeCpu);
        double steadyScan = Stats.median(scanCpu);
        double share = probe / probeInterval + steadyScan / (scanInterval / 1e6);
        System.out.printf("RESULT sockets=%d namespaceRows=%d probeCpuMs=%.2f probeIntervalMs=%.0f "
                        + "scanCpuMs=%.2f scanIntervalMs=%.0f tablesRead=%s firstScanCpuMs=%.1f fullReadCpuMs=%.1f "
                        + "share=%.5f heapPerSocket=%.0f tracked=%d%n", open.size(), namespaceRows, probe,
                probeInterval, steadyScan, scanInterval / 1e6, tablesReadInSteadyState, firstScanCpu.get(0),
                Stats.median(fullReadCpu), share, perSocket, tracker.trackedCount());
        System.out.flush();
        for (SocketChannel channel : open) {
            channel.close();
        }
    }

    /** The agent's kernel view over a tracker that tracks every one of {@code open}, as the agent would. */
    private static final class KernelView {
        final SocketTracker tracker;
        final LeakDetector detector;
        final KernelLeakFinder finder;
        final KernelScan scan;

        private KernelView(SocketTracker tracker, LeakDetector detector, KernelLeakFinder finder, KernelScan scan) {
            this.tracker = tracker;
            this.detector = detector;
            this.finder = finder;
            this.scan = scan;
        }

        static KernelView tracking(List<SocketChannel> open) throws Throwable {
            SocketTracker tracker = new SocketTracker(Clock.system(), watching -> { });
            LeakDetector detector = new LeakDetector(tracker, GRACE_NANOS, new Silent(), new AgentErrors(line -> { }));
            long scanInterval = KernelScan.intervalNanos(GRACE_NANOS);
            UntrackedSockets untracked = new UntrackedSockets(detector.reporter(), tracker, GRACE_NANOS,
                    KernelScan.maxDelayNanos(scanInterval), new OwnPorts());
            KernelLeakFinder finder = new KernelLeakFinder(detector.reporter(), tracker, GRACE_NANOS,
                    PollProbe.create(), untracked);
            KernelScan scan = new KernelScan(new ProcKernelView(ProcFs.system()), tracker, untracked, GRACE_NANOS,
                    ThreadCpu::nanos);
            MethodHandle fdVal = JdkFields.getter(Class.forName("sun.nio.ch.SocketChannelImpl"), "fdVal");
            for (int i = 0; i < open.size(); i++) {
                SocketChannel channel = open.get(i);
                tracker.opened(channel, SocketType.SOCKET_CHANNEL, i % 2 == 1, new Endpoints(
                        (int) fdVal.invoke(channel), (InetSocketAddress) channel.getLocalAddress(),
                        (InetSocketAddress) channel.getRemoteAddress()));
            }
            detector.scan(); // shares the allocation stacks, as the detector's first pass does
            return new KernelView(tracker, detector, finder, scan);
        }

        void round() throws Exception {
            finder.probe();
            scan.join(scan.read());
            detector.scan();
        }
    }

    private static long rows(String table) throws Exception {
        Path path = Path.of("/proc/net", table);
        if (!Files.exists(path)) {
            return 0;
        }
        try (var lines = Files.lines(path, StandardCharsets.US_ASCII)) {
            return lines.count() - 1;
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
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
