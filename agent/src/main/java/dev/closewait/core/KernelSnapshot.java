package dev.closewait.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sockets of this process that the agent did not see opened, as /proc showed them in one scan: their
 * descriptors (fd to socket inode, from /proc/self/fd) and, if the TCP tables were read this time, the rows of those
 * inodes (state and addresses, from /proc/net/tcp and tcp6). Descriptors of tracked sockets are not in it: the
 * kernel's state of those is asked per descriptor ({@link SocketProbe}).
 */
public final class KernelSnapshot {

    private final Map<Integer, Long> socketInodesByFd;
    private final List<KernelSocket> tcpSockets;
    private final boolean tablesRead;
    private final EnumMap<TcpState, Integer> countsByState = new EnumMap<>(TcpState.class);
    private final Set<Long> tcpInodes = new HashSet<>();
    private final Set<Long> socketInodes;
    private final long listedAtNanos;

    /** A snapshot for which the TCP tables were read: {@code tcpSockets} are the rows of the descriptors' inodes. */
    public KernelSnapshot(Map<Integer, Long> socketInodesByFd, List<KernelSocket> tcpSockets) {
        this(socketInodesByFd, tcpSockets, true);
    }

    /**
     * @param socketInodesByFd descriptor number to socket inode, for each socket descriptor looked at
     * @param tcpSockets       the TCP rows of those inodes; empty when {@code tablesRead} is false
     * @param tablesRead       whether the TCP tables were read; if not, a missing row says nothing
     */
    public KernelSnapshot(Map<Integer, Long> socketInodesByFd, List<KernelSocket> tcpSockets, boolean tablesRead) {
        this(socketInodesByFd, tcpSockets, tablesRead, Long.MAX_VALUE);
    }

    private KernelSnapshot(Map<Integer, Long> socketInodesByFd, List<KernelSocket> tcpSockets, boolean tablesRead,
                           long listedAtNanos) {
        this.listedAtNanos = listedAtNanos;
        this.socketInodesByFd = Map.copyOf(socketInodesByFd);
        this.socketInodes = new HashSet<>(socketInodesByFd.values());
        this.tcpSockets = List.copyOf(tcpSockets);
        this.tablesRead = tablesRead;
        for (KernelSocket socket : tcpSockets) {
            Integer count = countsByState.get(socket.state());
            countsByState.put(socket.state(), count == null ? 1 : count + 1);
            tcpInodes.add(socket.inode());
        }
    }

    /**
     * This snapshot, saying that its descriptors were listed no earlier than {@code nanos} (the tracker's clock):
     * what became untracked after that (a socket collected meanwhile) may be missing from it.
     */
    public KernelSnapshot listedAt(long nanos) {
        return new KernelSnapshot(socketInodesByFd, tcpSockets, tablesRead, nanos);
    }

    /**
     * When the descriptors were listed, at the earliest, in the tracker's nanoseconds; Long.MAX_VALUE when unknown,
     * taken as "after everything the caller knows of".
     */
    public long listedAtNanos() {
        return listedAtNanos;
    }

    public List<KernelSocket> tcpSockets() {
        return tcpSockets;
    }

    /** Whether the TCP tables were read for this snapshot (else only the descriptors were listed). */
    public boolean tablesRead() {
        return tablesRead;
    }

    /** The descriptors looked at, by number, with their socket inodes. */
    public Map<Integer, Long> socketInodesByFd() {
        return socketInodesByFd;
    }

    /** The socket inode behind a descriptor, or -1 if the descriptor is closed, not a socket, or not looked at. */
    public long inodeOf(int fd) {
        Long inode = socketInodesByFd.get(fd);
        return inode == null ? -1 : inode;
    }

    public boolean hasTcpRow(long inode) {
        return tcpInodes.contains(inode);
    }

    public boolean hasSocketInode(long inode) {
        return socketInodes.contains(inode);
    }

    /** How many of these sockets are in each state, in the kernel's order of states. */
    public Map<TcpState, Integer> countsByState() {
        // Not Map.copyOf: its iteration order changes from one JVM run to the next.
        return Collections.unmodifiableMap(new EnumMap<>(countsByState));
    }
}
