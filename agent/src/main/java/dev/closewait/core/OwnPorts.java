package dev.closewait.core;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local ports of the agent's own server sockets (the metrics endpoint). The JDK's HTTP server accepts on a thread of
 * its own, not an agent thread, so the sockets it accepts pass the socket hooks and the kernel view like the
 * application's: they are recognised by their local port and never tracked or reported.
 */
public final class OwnPorts {

    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();

    /** Called once the server socket is bound, before it accepts anything. */
    public void add(int port) {
        ports.add(port);
    }

    /** Whether a socket with this local address is one of the agent's own; cheap while there are none. */
    public boolean owns(InetSocketAddress local) {
        return local != null && !ports.isEmpty() && ports.contains(local.getPort());
    }
}
