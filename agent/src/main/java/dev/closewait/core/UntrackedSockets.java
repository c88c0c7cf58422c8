package dev.closewait.core;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sockets of this process that only the kernel knows (opened before the agent started, or through paths it does
 * not instrument), by socket inode, as table scans ({@link KernelSnapshot}) show them. One in CLOSE_WAIT for the
 * grace period is reported as close-wait with allocation unknown; when its descriptor goes away, a closed event
 * follows. At most {@link #MAX_UNTRACKED} are followed; further ones are counted, not reported.
 *
 * <p>It also says when a table scan can be skipped ({@link #needsTables}): a socket that listens, was reported
 * already, was a tracked socket collected without close(), or belongs to the agent's own server cannot turn into a
 * new leak, and one with no TCP row (UDP, Unix, not connected) is looked at again only every
 * {@code rowlessRecheckNanos}. {@link #join} runs on the detector thread; {@link #needsTables} on any.
 */
public final class UntrackedSockets {

    /** Sockets only the kernel knows, followed at most; the rest are counted, not tracked. */
    public static final int MAX_UNTRACKED = 10_000;

    private final KernelReporter reporter;
    private final SocketTracker tracker;
    private final Clock clock;
    private final long graceNanos;
    private final long rowlessRecheckNanos;
    private final OwnPorts ownPorts;
    private final Map<Long, Entry> byInode = new HashMap<>();
    /**
     * Sockets the detector found collected without close(), by descriptor, until a table scan whose descriptors were
     * listed after the collection has looked for them. A scan listed before it skipped the descriptor as tracked.
     */
    private final Map<Integer, Collected> collectedSinceLastScan = new HashMap<>();
    private volatile Settled settled = new Settled(Set.of(), false, 0, Set.of());
    /** The socket inodes of the last listing {@link #needsTables} was given (its caller's thread only). */
    private Set<Long> previousListing = Set.of();
    private volatile Map<TcpState, Integer> lastCounts = Map.of();
    /**
     * Whether {@link #lastCounts} covers every untracked socket of the last listing: false while one has not been
     * in a table scan yet (the first listing that meets a socket skips the tables, see {@link #needsTables}).
     */
    private volatile boolean countsComplete;
    /** The collected channels no table scan has looked for yet, by the state they were last known in. */
    private final EnumMap<TcpState, Integer> pending = new EnumMap<>(TcpState.class); // detector thread
    private volatile Map<TcpState, Integer> pendingCounts = Map.of();
    private volatile Set<Integer> listeningPorts = Set.of();
    /**
     * The last rows of tracked sockets whose state only the tables tell ({@link SocketTracker#stateFromTables}), by
     * descriptor: the kernel view lists their descriptors, and their rows are handed to {@link KernelLeakFinder}
     * through {@link #tableState} instead of being followed here.
     */
    private volatile Map<Integer, TableRow> trackedRows = Map.of();
    /** The inodes of such sockets reported already: they need no table scan (detector thread). */
    private Set<Long> settledTracked = Set.of();
    private long deadline = Long.MAX_VALUE; // being computed during a join
    private volatile long nextDeadlineNanos = Long.MAX_VALUE;
    private long overflow;

    /**
     * Inodes that need no table scan, when the earliest row-less one must be looked at again, and every inode a table
     * scan has met ({@code known}).
     */
    private record Settled(Set<Long> inodes, boolean recheck, long recheckAtNanos, Set<Long> known) {
    }

    /** A tracked socket's TCP row ({@code row} null: its descriptor was listed without one), and when it was seen. */
    private record TableRow(KernelSocket row, long seenNanos) {
    }

    /**
     * What a table scan said of a tracked socket: {@code result} as a {@link SocketProbe} would say it, and when the
     * scan listed the descriptors ({@code seenNanos}, the tracker's clock).
     */
    record TableState(SocketProbe.Result result, long seenNanos) {
        static final TableState UNKNOWN = new TableState(SocketProbe.Result.UNKNOWN, 0);
    }

    /** {@code lastKnown}: its state when collected, null if its descriptor went with it (a cleaner closes it). */
    private record Collected(Endpoints endpoints, long collectedNanos, TcpState lastKnown) {
    }

    private static final class Entry {
        KernelSocket socket; // the last row seen; null while it has none
        long checkedNanos;
        long closeWaitSinceNanos = TrackedSocket.NEVER;
        boolean ignored; // collected without close() after tracking, or the agent's own
        Leak report;
    }

    public UntrackedSockets(KernelReporter reporter, SocketTracker tracker, long graceNanos, long rowlessRecheckNanos,
                            OwnPorts ownPorts) {
        this.reporter = reporter;
        this.tracker = tracker;
        this.clock = tracker.clock();
        this.graceNanos = graceNanos;
        this.rowlessRecheckNanos = rowlessRecheckNanos;
        this.ownPorts = ownPorts;
    }

    /**
     * A tracked socket was collected without close(): its descriptor may stay open and must not be reported again.
     * Until a table scan has looked for it, the summary counts a channel (whose descriptor stays open: channels have
     * no cleaner) in the state the agent last knew it in: CLOSE_WAIT once its peer had closed, else ESTABLISHED.
     */
    public void collected(TrackedSocket tracked) {
        Endpoints endpoints = tracked.endpoints;
        if (endpoints.fd() >= 0 && collectedSinceLastScan.size() < MAX_UNTRACKED) {
            boolean peerClosed = tracked.endOfStream != null || tracked.closeWaitSinceNanos != TrackedSocket.NEVER;
            TcpState lastKnown = !tracked.type.keepsDescriptorWhenCollected() ? null
                    : peerClosed ? TcpState.CLOSE_WAIT : TcpState.ESTABLISHED;
            Collected previous = collectedSinceLastScan.put(endpoints.fd(),
                    new Collected(endpoints, clock.nanoTime(), lastKnown));
            if (previous != null && previous.lastKnown() != null) {
                StateCounts.add(pending, previous.lastKnown(), -1);
            }
            if (lastKnown != null) {
                StateCounts.add(pending, lastKnown, 1);
            }
            publishPending();
        }
    }

    private void publishPending() {
        StateCounts.dropEmpty(pending);
        pendingCounts = pending.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(pending));
    }

    /**
     * Whether the TCP tables must be read, given the untracked socket descriptors just listed: some socket that is
     * not settled (still in a state that can become a leak) was met by a table scan already or was listed the time
     * before too, or a row-less one is due to be looked at again. A socket listed once is not enough: an application
     * that opens and closes connections by the thousand always has a few between socket(2) and the hook that tracks
     * them, or between close and its hook, and reading the tables for each (their rows include every TIME_WAIT
     * socket of the namespace) cost a churning JVM about 3 % of its CPU (async-profiler, issue 16). A socket that can
     * leak stays for its grace period, so waiting one listing costs detection at most one scan interval. On one
     * thread at a time (the kernel reader).
     */
    public synchronized boolean needsTables(Map<Integer, Long> socketInodesByFd, long nowNanos) {
        Settled current = settled;
        Set<Long> before = previousListing;
        previousListing = socketInodesByFd.isEmpty() ? Set.of() : new HashSet<>(socketInodesByFd.values());
        if (current.recheck && nowNanos - current.recheckAtNanos >= 0) {
            return true;
        }
        for (Long inode : socketInodesByFd.values()) {
            if (!current.inodes.contains(inode) && (current.known.contains(inode) || before.contains(inode))) {
                return true;
            }
        }
        return false;
    }

    /** Joins one scan: follows, reports and forgets untracked sockets. On the detector thread. */
    public void join(KernelSnapshot snapshot) {
        long now = clock.nanoTime();
        deadline = Long.MAX_VALUE;
        if (snapshot.tablesRead()) {
            update(snapshot, now);
        }
        countsComplete = coversEverySocketOf(snapshot);
        Set<Integer> listening = new HashSet<>();
        EnumMap<TcpState, Integer> gone = null;
        for (Iterator<Map.Entry<Long, Entry>> entries = byInode.entrySet().iterator(); entries.hasNext(); ) {
            Map.Entry<Long, Entry> mapEntry = entries.next();
            Entry entry = mapEntry.getValue();
            if (!snapshot.hasSocketInode(mapEntry.getKey())) {
                entries.remove(); // its descriptor is closed, or its socket tracked since
                if (!snapshot.tablesRead() && entry.socket != null && !ownPorts.owns(entry.socket.local())) {
                    gone = gone == null ? new EnumMap<>(TcpState.class) : gone;
                    StateCounts.add(gone, entry.socket.state(), -1);
                }
                if (entry.report != null) {
                    reporter.emit(new LeakOutcome(entry.report, LeakOutcome.Kind.CLOSED, now, clock.epochMillis(now),
                            null));
                }
                continue;
            }
            KernelSocket socket = entry.socket;
            if (socket != null && socket.state() == TcpState.LISTEN && socket.local() != null) {
                listening.add(socket.local().getPort());
            }
        }
        listeningPorts = Set.copyOf(listening);
        if (gone != null) {
            // Counted by the last table read, gone from this listing: a summary made before the next table read
            // counted them still (71 SYN_SENT of a burst of connects, long after it, in a new-user trial, 2026-12-02).
            lastCounts = StateCounts.sum(lastCounts, gone);
        }
        Set<Long> settledInodes = new HashSet<>();
        boolean recheck = false;
        long recheckAt = 0;
        for (Map.Entry<Long, Entry> mapEntry : byInode.entrySet()) {
            Entry entry = mapEntry.getValue();
            TcpState state = entry.socket == null ? null : entry.socket.state();
            if (!entry.ignored && entry.report == null && state == TcpState.CLOSE_WAIT) {
                follow(entry, now, snapshot.tablesRead()); // reported only on what this scan saw
            }
            if (entry.ignored || entry.report != null || state == TcpState.LISTEN) {
                settledInodes.add(mapEntry.getKey());
            } else if (state == null) {
                settledInodes.add(mapEntry.getKey());
                long due = entry.checkedNanos + rowlessRecheckNanos;
                if (!recheck || due - recheckAt < 0) {
                    recheckAt = due;
                }
                recheck = true;
            }
        }
        settledInodes.addAll(settledTracked);
        settled = new Settled(Set.copyOf(settledInodes), recheck, recheckAt, Set.copyOf(byInode.keySet()));
        nextDeadlineNanos = deadline;
    }

    private void update(KernelSnapshot snapshot, long now) {
        Map<Integer, TrackedSocket> fromTables = tracker.stateFromTablesByFd();
        long listed = snapshot.listedAtNanos();
        long seen = listed == Long.MAX_VALUE || listed - now > 0 ? now : listed;
        Map<Integer, TableRow> claimed = new HashMap<>();
        Set<Long> settledClaimed = new HashSet<>();
        EnumMap<TcpState, Integer> counts = new EnumMap<>(TcpState.class);
        counts.putAll(snapshot.countsByState());
        // Rows first, in table order, so that which sockets go over the limit does not depend on hashing.
        for (KernelSocket row : snapshot.tcpSockets()) {
            TrackedSocket tracked = fromTables.get(row.fd());
            if (tracked != null && samePorts(tracked.endpoints, row)) {
                claim(claimed, settledClaimed, tracked, row.fd(), row.inode(), new TableRow(row, seen));
                StateCounts.add(counts, row.state(), -1); // counted by KernelLeakFinder, as tracked
                continue;
            }
            if (ownPorts.owns(row.local())) {
                StateCounts.add(counts, row.state(), -1); // the agent's own endpoint is not the application's
            }
            update(row.fd(), row.inode(), row, now);
        }
        for (Map.Entry<Integer, Long> descriptor : snapshot.socketInodesByFd().entrySet()) {
            if (!snapshot.hasTcpRow(descriptor.getValue())) {
                TrackedSocket tracked = fromTables.get(descriptor.getKey());
                if (tracked != null) {
                    claim(claimed, settledClaimed, tracked, descriptor.getKey(), descriptor.getValue(),
                            new TableRow(null, seen));
                    continue;
                }
                update(descriptor.getKey(), descriptor.getValue(), null, now);
            }
        }
        StateCounts.dropEmpty(counts);
        lastCounts = Collections.unmodifiableMap(counts);
        trackedRows = Map.copyOf(claimed);
        settledTracked = settledClaimed;
        for (Iterator<Collected> it = collectedSinceLastScan.values().iterator(); it.hasNext(); ) {
            if (it.next().collectedNanos() - listed < 0 || listed == Long.MAX_VALUE) {
                it.remove();
            }
        }
        pending.clear();
        for (Collected collected : collectedSinceLastScan.values()) {
            if (collected.lastKnown() != null) {
                StateCounts.add(pending, collected.lastKnown(), 1);
            }
        }
        publishPending();
    }

    /**
     * {@code tracked}'s row: handed to the kernel leak finder, and any entry of the same inode is dropped. Such an entry
     * was made by a scan that listed the descriptor before the socket was tracked (a channel created on one thread and
     * connected on another) and read the tables after; it kept the socket's state from then on and reported it a
     * second time, as close-wait of type unknown (2026-12-02).
     */
    private void claim(Map<Integer, TableRow> claimed, Set<Long> settledClaimed, TrackedSocket tracked, int fd,
                       long inode, TableRow row) {
        Entry stale = byInode.get(inode);
        if (stale != null && stale.report == null) {
            byInode.remove(inode);
        }
        claimed.put(fd, row);
        if (tracked.state() != TrackedSocket.OPEN) {
            settledClaimed.add(inode); // reported: nothing more to find out about it
        }
    }

    /**
     * What the last table scan showed of tracked socket {@code fd}, one whose state only the tables tell
     * ({@link SocketTracker#stateFromTables}): {@code PEER_CLOSED} for a CLOSE_WAIT row, {@code ALIVE} for a row in
     * another state, {@code CONNECTION_GONE} for a descriptor listed without a TCP row (reset, or closed both ways:
     * the kernel takes such a socket out of its tables, see tcp_set_state in the Linux sources), {@code UNKNOWN} when
     * no scan has shown it yet or the row's ports are not {@code endpoints}' (another socket's). Thread-safe.
     */
    TableState tableState(int fd, Endpoints endpoints) {
        TableRow row = trackedRows.get(fd);
        if (row == null) {
            return TableState.UNKNOWN;
        }
        KernelSocket socket = row.row();
        if (socket == null) {
            return new TableState(SocketProbe.Result.CONNECTION_GONE, row.seenNanos());
        }
        if (!samePorts(endpoints, socket)) {
            return TableState.UNKNOWN;
        }
        return new TableState(socket.state() == TcpState.CLOSE_WAIT ? SocketProbe.Result.PEER_CLOSED
                : SocketProbe.Result.ALIVE, row.seenNanos());
    }

    private void update(int fd, long inode, KernelSocket row, long now) {
        Entry entry = byInode.get(inode);
        if (entry == null) {
            if (byInode.size() >= MAX_UNTRACKED) {
                overflow++;
                return;
            }
            entry = new Entry();
            byInode.put(inode, entry);
        }
        if (!entry.ignored && entry.report == null) {
            // A tracked socket collected without close(): reported already, by the GC rule. Also when a scan listed
            // its descriptor before the detector had taken it off the tracker, and the entry is older than that.
            Collected collected = collectedSinceLastScan.get(fd);
            entry.ignored = collected != null && (row == null || samePorts(collected.endpoints(), row));
        }
        entry.socket = row;
        entry.checkedNanos = now;
        if (row != null && ownPorts.owns(row.local())) {
            entry.ignored = true;
        }
        if (row == null || row.state() != TcpState.CLOSE_WAIT) {
            entry.closeWaitSinceNanos = TrackedSocket.NEVER;
        } else if (entry.closeWaitSinceNanos == TrackedSocket.NEVER) {
            entry.closeWaitSinceNanos = now;
        }
    }

    private void follow(Entry entry, long now, boolean seenNow) {
        if (now - entry.closeWaitSinceNanos < graceNanos || !seenNow) {
            deadline = Math.min(deadline, entry.closeWaitSinceNanos + graceNanos);
            return;
        }
        entry.report = leak(entry, tracker.nextId(), now);
        reporter.emit(entry.report);
    }

    private Leak leak(Entry entry, long id, long now) {
        KernelSocket socket = entry.socket;
        boolean accepted = socket.local() != null && listeningPorts.contains(socket.local().getPort());
        return new Leak(LeakKind.CLOSE_WAIT, id, SocketType.UNKNOWN, accepted,
                new Endpoints(socket.fd(), socket.local(), socket.remote()), null, now, -1, null, null, -1,
                now, clock.epochMillis(now), clock.epochMillis(entry.closeWaitSinceNanos));
    }

    /** Reported ones still open, then those in CLOSE_WAIT within grace, up to {@code limit} in all. Detector thread. */
    public void addSuspects(List<Suspect> suspects, int limit) {
        long now = clock.nanoTime();
        for (Entry entry : byInode.values()) {
            if (suspects.size() >= limit) {
                return;
            }
            if (entry.report != null) {
                suspects.add(new Suspect(Suspect.Status.LEAKED, entry.report));
            } else if (!entry.ignored && entry.closeWaitSinceNanos != TrackedSocket.NEVER) {
                suspects.add(new Suspect(Suspect.Status.PENDING, leak(entry, -1, now)));
            }
        }
    }

    /** Whether this process listens on {@code port}, as of the last table scan. Thread-safe. */
    public boolean isListening(int port) {
        return listeningPorts.contains(port);
    }

    /** When the earliest pending untracked socket reaches its grace (a table scan is due then); or Long.MAX_VALUE. */
    public long nextDeadlineNanos() {
        return nextDeadlineNanos;
    }

    /**
     * These sockets by TCP state, as the last table scan found them, plus the collected channels no scan has looked
     * for yet (see {@link #collected}). Thread-safe.
     */
    /**
     * Whether {@link #lastCounts} covers every untracked socket of the last scan's listing: a socket new in that
     * listing is counted only once a later scan has read the tables (a summary made before that missed, say, the
     * process's listening socket: found in a new-user trial, 2026-12-01). False before the first scan.
     */
    public boolean countsComplete() {
        return countsComplete;
    }

    private boolean coversEverySocketOf(KernelSnapshot snapshot) {
        if (snapshot.tablesRead()) {
            return true;
        }
        for (Long inode : snapshot.socketInodesByFd().values()) {
            if (!byInode.containsKey(inode) && !settledTracked.contains(inode)) {
                return false;
            }
        }
        return true;
    }

    public Map<TcpState, Integer> lastCounts() {
        Map<TcpState, Integer> pending = pendingCounts;
        return pending.isEmpty() ? lastCounts : StateCounts.sum(lastCounts, pending);
    }

    /** Untracked sockets seen beyond {@link #MAX_UNTRACKED}, counted once per scan that met them. */
    public long overflow() {
        return overflow;
    }

    static boolean samePorts(Endpoints endpoints, KernelSocket socket) {
        return samePort(endpoints.local(), socket.local()) && samePort(endpoints.remote(), socket.remote());
    }

    private static boolean samePort(InetSocketAddress tracked, InetSocketAddress kernel) {
        return tracked == null || kernel == null || tracked.getPort() == kernel.getPort();
    }

}
