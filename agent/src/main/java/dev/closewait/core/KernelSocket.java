package dev.closewait.core;

import java.net.InetSocketAddress;

/** One TCP socket of this process as the kernel sees it: its descriptor, socket inode, TCP state and addresses. */
public record KernelSocket(int fd, long inode, TcpState state, InetSocketAddress local, InetSocketAddress remote) {
}
