package dev.closewait.core;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins the kernel's view of this process's sockets to the tracked ones, on the detector's thread, and reports what
 * only the kernel can tell: a socket in CLOSE_WAIT for the grace period that never read EOF (kind close-wait), a
 * socket whose descriptor is open but whose connection is gone (reset-not-closed), and CLOSE_WAIT sockets the agent
 * never saw opened (allocation unknown). A socket that read EOF is left to the EOF rule: one kind per socket.
 */
public final class KernelLeakFinder {

    /** Sockets only the kernel knows, followed at most; the rest are counted, not tracked. */
    static final int MAX_UNTRACKED = 10_000;

    private final LeakDetector detector;
    private final SocketTracker tracker;
    private final Clock clock;
    private final long graceNanos;
    private final OwnPorts ownPorts;
    private final Map<Long, Untracked> untracked = new HashMap<>();
    /** Sockets the detector found collected without close() since the last scan, by descriptor. */
    private final Map<Integer, Endpoints> collectedSinceLastScan = new HashMap<>();
    /** Inodes of such sockets whose descriptor stayed open: reported already, though no longer tracked. */
    private final Set<Long> collectedInodes = new HashSet<>();
    private volatile Map<TcpState, Integer> lastCounts = Map.of();
    /** When the earliest socket seen in a leaking state (CLOSE_WAIT, or connection gone) reaches its grace. */
    private volatile long nextDeadlineNanos = Long.MAX_VALUE;
    private long deadline; // being computed during a scan
    private long reportedAtLastSummary;
    private long untrackedOverflow;

    /** A CLOSE_WAIT socket of this process that the agent never saw opened, by socket inode. */
    private static final class Untracked {
        final long firstSeenNanos;
        KernelSocket socket;
        boolean accepted;
        Leak report;

        Untracked(long firstSeenNanos) {
            this.firstSeenNanos = firstSeenNanos;
        }
    }

    public KernelLeakFinder(LeakDetector detector) {
        this(detector, new OwnPorts());
    }

    /** Leaving alone the sockets on {@code ownPorts}: the agent's own server's. */
    public KernelLeakFinder(LeakDetector detector, OwnPorts ownPorts) {
        this.detector = detector;
        this.ownPorts = ownPorts;
        this.tracker = detector.tracker();
        this.clock = tracker.clock();
        this.graceNanos = detector.graceNanos();
        detector.kernelFinder(this);
        detector.onCollectedUnclosed(endpoints -> collectedSinceLastScan.put(endpoints.fd(), endpoints));
    }

    /** Sockets only the kernel knows that are in CLOSE_WAIT: reported ones, then those still within grace. */
    void addSuspects(List<Suspect> suspects, int limit) {
        long now = clock.nanoTime();
        for (Map.Entry<Long, Untracked> entry : untracked.entrySet()) {
            if (suspects.size() >= limit) {
                return;
            }
            Untracked known = entry.getValue();
            if (known.report != null) {
                suspects.add(new Suspect(Suspect.Status.LEAKED, known.report));
            } else if (known.socket != null) {
                suspects.add(new Suspect(Suspect.Status.PENDING, untrackedLeak(known, -1, now)));
            }
        }
    }

    public void scan(KernelSnapshot snapshot) {
        long now = clock.nanoTime();
        deadline = Long.MAX_VALUE;
        Map<Integer, TrackedSocket> trackedByFd = tracker.openByFd();
        boolean closeWaitPending = false;
        for (KernelSocket socket : snapshot.tcpSockets()) {
            TrackedSocket tracked = trackedByFd.remove(socket.fd());
            if (tracked != null && samePorts(tracked.endpoints, socket)) {
                closeWaitPending |= followTracked(tracked, socket, snapshot, now);
            } else if (tracked == null && !collected(socket) && socket.state() == TcpState.CLOSE_WAIT
                    && !ownPorts.owns(socket.local())) {
                followUntracked(socket, snapshot, now);
            }
        }
        collectedSinceLastScan.clear();
        collectedInodes.removeIf(inode -> !snapshot.hasSocketInode(inode));
        // Tracked sockets with no row left: reset by the peer, if their descriptor still holds the same socket.
        for (TrackedSocket tracked : trackedByFd.values()) {
            checkConnectionGone(tracked, snapshot, now);
        }
        forgetUntrackedNoLongerOpen(snapshot, now);
        nextDeadlineNanos = deadline;
        detector.kernelWantsWrites(closeWaitPending);
        lastCounts = snapshot.countsByState();
        if (detector.reportedCount() != reportedAtLastSummary) {
            reportedAtLastSummary = detector.reportedCount();
            try {
                detector.listener().socketStates(lastCounts);
            } catch (Throwable ignored) {
                // the summary is a courtesy; the reports themselves went out
            }
        }
    }

    /** Returns whether the socket is in CLOSE_WAIT and still within its grace period. */
    private boolean followTracked(TrackedSocket tracked, KernelSocket socket, KernelSnapshot snapshot, long now) {
        tracked.kernelInode = socket.inode();
        if (tracked.allocation == null && socket.local() != null) {
            tracked.accepted = snapshot.isListening(socket.local().getPort()); // adopted: role from the kernel
        }
        tracked.connectionGoneSinceNanos = TrackedSocket.NEVER;
        if (tracked.state() != TrackedSocket.OPEN || tracked.agentOwned) {
            return false; // reported already, or the agent's own
        }
        if (socket.state() != TcpState.CLOSE_WAIT) {
            tracked.closeWaitSinceNanos = TrackedSocket.NEVER;
            return false;
        }
        if (tracked.endOfStream != null) {
            return false; // the EOF rule decides
        }
        if (tracked.closeWaitSinceNanos == TrackedSocket.NEVER) {
            tracked.closeWaitSinceNanos = now;
        }
        long lastActivity = Math.max(tracked.closeWaitSinceNanos, tracked.lastWriteNanos);
        if (now - lastActivity >= graceNanos) {
            detector.report(tracked, LeakKind.CLOSE_WAIT, now, tracked.closeWaitSinceNanos);
            return false;
        }
        due(lastActivity + graceNanos);
        return true;
    }

    /** Whether this untracked socket is one the agent tracked until it was collected without close(). */
    private boolean collected(KernelSocket socket) {
        Endpoints endpoints = collectedSinceLastScan.get(socket.fd());
        if (endpoints != null && samePorts(endpoints, socket)) {
            collectedInodes.add(socket.inode());
        }
        return collectedInodes.contains(socket.inode());
    }

    private void checkConnectionGone(TrackedSocket tracked, KernelSnapshot snapshot, long now) {
        if (tracked.kernelInode < 0 || tracked.endOfStream != null || tracked.state() != TrackedSocket.OPEN
                || tracked.agentOwned
                || snapshot.inodeOf(tracked.endpoints.fd()) != tracked.kernelInode
                || snapshot.hasTcpRow(tracked.kernelInode)) {
            return;
        }
        if (tracked.connectionGoneSinceNanos == TrackedSocket.NEVER) {
            tracked.connectionGoneSinceNanos = now;
        }
        if (now - tracked.connectionGoneSinceNanos >= graceNanos) {
            detector.report(tracked, LeakKind.RESET_NOT_CLOSED, now, tracked.connectionGoneSinceNanos);
        } else {
            due(tracked.connectionGoneSinceNanos + graceNanos);
        }
    }

    private void followUntracked(KernelSocket socket, KernelSnapshot snapshot, long now) {
        Untracked known = untracked.get(socket.inode());
        if (known == null) {
            if (untracked.size() >= MAX_UNTRACKED) {
                untrackedOverflow++;
                return;
            }
            known = new Untracked(now);
            untracked.put(socket.inode(), known);
        }
        known.socket = socket;
        known.accepted = socket.local() != null && snapshot.isListening(socket.local().getPort());
        if (known.report != null) {
            return;
        }
        if (now - known.firstSeenNanos < graceNanos) {
            due(known.firstSeenNanos + graceNanos);
            return;
        }
        known.report = untrackedLeak(known, tracker.nextId(), now);
        detector.emit(known.report);
    }

    private void due(long at) {
        deadline = Math.min(deadline, at);
    }

    /** When the next scan should run at the latest for a pending socket to be reported on time; or Long.MAX_VALUE. */
    public long nextDeadlineNanos() {
        return nextDeadlineNanos;
    }

    /** The finder's clock, for comparing with {@link #nextDeadlineNanos()}. */
    public long nowNanos() {
        return clock.nanoTime();
    }

    private Leak untrackedLeak(Untracked known, long id, long now) {
        KernelSocket socket = known.socket;
        return new Leak(LeakKind.CLOSE_WAIT, id, SocketType.UNKNOWN, known.accepted,
                new Endpoints(socket.fd(), socket.local(), socket.remote()), null, now, -1, null, null, -1,
                now, clock.epochMillis(now), clock.epochMillis(known.firstSeenNanos));
    }

    /** Drops untracked sockets that are closed; a reported one that got closed is reported as closed. */
    private void forgetUntrackedNoLongerOpen(KernelSnapshot snapshot, long now) {
        for (Iterator<Map.Entry<Long, Untracked>> entries = untracked.entrySet().iterator(); entries.hasNext(); ) {
            Map.Entry<Long, Untracked> entry = entries.next();
            if (snapshot.hasSocketInode(entry.getKey())) {
                continue;
            }
            entries.remove();
            Leak report = entry.getValue().report;
            if (report != null) {
                detector.emit(new LeakOutcome(report, LeakOutcome.Kind.CLOSED, now, clock.epochMillis(now), null));
            }
        }
    }

    private static boolean samePorts(Endpoints endpoints, KernelSocket socket) {
        return samePort(endpoints.local(), socket.local()) && samePort(endpoints.remote(), socket.remote());
    }

    private static boolean samePort(InetSocketAddress tracked, InetSocketAddress kernel) {
        return tracked == null || kernel == null || tracked.getPort() == kernel.getPort();
    }

    /** How many of this process's TCP sockets were in each state at the last scan. */
    public Map<TcpState, Integer> lastCounts() {
        return lastCounts;
    }

    /** CLOSE_WAIT sockets the agent never saw opened that it could not follow (over {@link #MAX_UNTRACKED}). */
    public long untrackedOverflow() {
        return untrackedOverflow;
    }
}
