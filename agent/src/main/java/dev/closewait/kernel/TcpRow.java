package dev.closewait.kernel;

import dev.closewait.core.TcpState;

import java.net.InetSocketAddress;

/** One row of /proc/net/tcp or /proc/net/tcp6. */
public record TcpRow(InetSocketAddress local, InetSocketAddress remote, TcpState state, long inode) {
}
