package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketProbe;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.Suspect;
import dev.closewait.core.TrackedSocket;
import dev.closewait.core.UntrackedSockets;
import dev.closewait.jdk.PollProbe;
import dev.closewait.kernel.KernelScan;
import dev.closewait.kernel.ProcFs;
import dev.closewait.kernel.ProcKernelView;
import dev.closewait.kernel.ThreadCpu;

import java.util.List;
import java.util.function.Consumer;

/**
 * The kernel view's parts, wired: per-descriptor probes of tracked sockets ({@link KernelLeakFinder}, on the
 * detector thread) and table scans for the sockets the agent did not see opened ({@link KernelScan} reading on
 * {@code closewait-kernel}, {@link UntrackedSockets} joining on the detector thread).
 */
final class KernelView {

    final KernelLeakFinder finder;
    final UntrackedSockets untracked;
    final KernelScan scan;

    private KernelView(KernelLeakFinder finder, UntrackedSockets untracked, KernelScan scan) {
        this.finder = finder;
        this.untracked = untracked;
        this.scan = scan;
    }

    /** The kernel view over Linux's /proc at {@code procFs}; null (said once on stderr) where there is none. */
    static KernelView create(ProcFs procFs, LeakDetector detector, SocketTracker tracker, long graceNanos,
                             OwnPorts ownPorts, AgentErrors errors) {
        if (!procFs.available()) {
            AgentStderr.println("closewait: kernel view off: this system has no Linux /proc ("
                    + System.getProperty("os.name") + "); only leaks seen by reading EOF or by garbage collection "
                    + "are reported.");
            return null;
        }
        SocketProbe probe = new FirstUseProbe(errors);
        long scanInterval = KernelScan.intervalNanos(graceNanos);
        UntrackedSockets untracked = new UntrackedSockets(detector.reporter(), tracker, graceNanos,
                KernelScan.maxDelayNanos(scanInterval), ownPorts);
        detector.onCollectedUnclosed(new Consumer<TrackedSocket>() { // not a method reference: see AgentInstaller
            @Override
            public void accept(TrackedSocket collected) {
                untracked.collected(collected);
            }
        });
        KernelLeakFinder finder = new KernelLeakFinder(detector.reporter(), tracker, graceNanos, probe, untracked,
                ThreadCpu.NANOS);
        KernelScan scan = new KernelScan(new ProcKernelView(procFs), tracker, untracked, graceNanos, ThreadCpu.NANOS);
        return new KernelView(finder, untracked, scan);
    }

    /**
     * The {@link PollProbe}, created the first time a socket is probed: creating it initializes
     * {@code sun.nio.ch.Net}, which the agent instruments (ASM and all), a cost a JVM that never opens a socket need
     * not pay. Detector thread only, like every probe.
     */
    private static final class FirstUseProbe implements SocketProbe {
        private final AgentErrors errors;
        private SocketProbe probe;

        FirstUseProbe(AgentErrors errors) {
            this.errors = errors;
        }

        @Override
        public Result probe(Object socket, int fd) {
            if (probe == null) {
                try {
                    probe = PollProbe.create();
                } catch (Throwable t) {
                    errors.record("kernel probe", t);
                    probe = SocketProbe.NONE;
                }
            }
            return probe.probe(socket, fd);
        }
    }

    /**
     * The detector's suspects and the sockets only the kernel knows, at most {@code limit}, in {@link Suspect#ORDER};
     * detector thread.
     */
    static List<Suspect> suspects(LeakDetector detector, KernelView kernel, int limit) {
        List<Suspect> suspects = detector.suspects(limit);
        if (kernel != null) {
            kernel.untracked.addSuspects(suspects, limit);
        }
        suspects.sort(Suspect.ORDER);
        return suspects;
    }
}
