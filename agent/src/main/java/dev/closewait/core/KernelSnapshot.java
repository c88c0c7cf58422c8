package dev.closewait.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This process's sockets as the kernel saw them in one scan: the descriptors that are sockets (fd to socket inode)
 * and, for those that are TCP connections, their row in the TCP tables.
 */
public final class KernelSnapshot {

    private final Map<Integer, Long> socketInodesByFd;
    private final List<KernelSocket> tcpSockets;
    private final EnumMap<TcpState, Integer> countsByState = new EnumMap<>(TcpState.class);
    private final Set<Integer> listeningPorts = new HashSet<>();
    private final Set<Long> tcpInodes = new HashSet<>();
    private final Set<Long> socketInodes;

    public KernelSnapshot(Map<Integer, Long> socketInodesByFd, List<KernelSocket> tcpSockets) {
        this.socketInodesByFd = Map.copyOf(socketInodesByFd);
        this.socketInodes = new HashSet<>(socketInodesByFd.values());
        this.tcpSockets = List.copyOf(tcpSockets);
        for (KernelSocket socket : tcpSockets) {
            countsByState.merge(socket.state(), 1, Integer::sum);
            tcpInodes.add(socket.inode());
            if (socket.state() == TcpState.LISTEN && socket.local() != null) {
                listeningPorts.add(socket.local().getPort());
            }
        }
    }

    public List<KernelSocket> tcpSockets() {
        return tcpSockets;
    }

    /** The socket inode behind a descriptor, or -1 if the descriptor is closed or not a socket. */
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

    public boolean isListening(int port) {
        return listeningPorts.contains(port);
    }

    /** How many of this process's TCP sockets are in each state, in the kernel's order of states. */
    public Map<TcpState, Integer> countsByState() {
        // Not Map.copyOf: its iteration order changes from one JVM run to the next.
        return Collections.unmodifiableMap(new EnumMap<>(countsByState));
    }
}
