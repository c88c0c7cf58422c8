package dev.closewait.core;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

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
    private volatile Map<TcpState, Integer> lastCounts = Map.of();
    private long reportedAtLastSummary;
    private long untrackedOverflow;

    /** A CLOSE_WAIT socket of this process that the agent never saw opened, by socket inode. */
    private static final class Untracked {
        final long firstSeenNanos;
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
    }

    public void scan(KernelSnapshot snapshot) {
        long now = clock.nanoTime();
        Map<Integer, TrackedSocket> trackedByFd = tracker.openByFd();
        boolean closeWaitPending = false;
        for (KernelSocket socket : snapshot.tcpSockets()) {
            TrackedSocket tracked = trackedByFd.remove(socket.fd());
            if (tracked != null && samePorts(tracked.endpoints, socket)) {
                closeWaitPending |= followTracked(tracked, socket, now);
            } else if (tracked == null && socket.state() == TcpState.CLOSE_WAIT && !ownPorts.owns(socket.local())) {
                followUntracked(socket, snapshot, now);
            }
        }
        // Tracked sockets with no row left: reset by the peer, if their descriptor still holds the same socket.
        for (TrackedSocket tracked : trackedByFd.values()) {
            checkConnectionGone(tracked, snapshot, now);
        }
        forgetUntrackedNoLongerOpen(snapshot, now);
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
    private boolean followTracked(TrackedSocket tracked, KernelSocket socket, long now) {
        tracked.kernelInode = socket.inode();
        tracked.connectionGoneSinceNanos = TrackedSocket.NEVER;
        if (tracked.state() != TrackedSocket.OPEN) {
            return false; // reported already
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
        return true;
    }

    private void checkConnectionGone(TrackedSocket tracked, KernelSnapshot snapshot, long now) {
        if (tracked.kernelInode < 0 || tracked.endOfStream != null || tracked.state() != TrackedSocket.OPEN
                || snapshot.inodeOf(tracked.endpoints.fd()) != tracked.kernelInode
                || snapshot.hasTcpRow(tracked.kernelInode)) {
            return;
        }
        if (tracked.connectionGoneSinceNanos == TrackedSocket.NEVER) {
            tracked.connectionGoneSinceNanos = now;
        } else if (now - tracked.connectionGoneSinceNanos >= graceNanos) {
            detector.report(tracked, LeakKind.RESET_NOT_CLOSED, now, tracked.connectionGoneSinceNanos);
        }
    }

    private void followUntracked(KernelSocket socket, KernelSnapshot snapshot, long now) {
        Untracked known = untracked.get(socket.inode());
        if (known == null) {
            if (untracked.size() >= MAX_UNTRACKED) {
                untrackedOverflow++;
                return;
            }
            untracked.put(socket.inode(), new Untracked(now));
            return;
        }
        if (known.report != null || now - known.firstSeenNanos < graceNanos) {
            return;
        }
        boolean accepted = socket.local() != null && snapshot.isListening(socket.local().getPort());
        known.report = new Leak(LeakKind.CLOSE_WAIT, tracker.nextId(), SocketType.UNKNOWN, accepted,
                new Endpoints(socket.fd(), socket.local(), socket.remote()), null, now, -1, null, null, -1,
                now, clock.epochMillis(now), clock.epochMillis(known.firstSeenNanos));
        detector.emit(known.report);
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
