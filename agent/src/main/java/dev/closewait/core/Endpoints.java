package dev.closewait.core;

import java.net.InetAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** File descriptor and addresses of a socket as last seen; any part may be unknown (-1 or null). */
public record Endpoints(int fd, InetSocketAddress local, InetSocketAddress remote) {

    public static final Endpoints UNKNOWN = new Endpoints(-1, null, null);

    public boolean complete() {
        return fd >= 0 && local != null && remote != null;
    }

    /** This, with the unknown parts filled in from {@code other}. */
    public Endpoints orElse(Endpoints other) {
        return new Endpoints(fd >= 0 ? fd : other.fd,
                local != null ? local : other.local,
                remote != null ? remote : other.remote);
    }

    /** {@code ip:port}, with IPv6 addresses in brackets; {@code null} when unknown. */
    public static String format(InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        InetAddress ip = address.getAddress();
        String host = ip == null ? address.getHostString() : ip.getHostAddress();
        if (ip instanceof Inet6Address) {
            host = "[" + host + "]";
        }
        return host + ":" + address.getPort();
    }
}
