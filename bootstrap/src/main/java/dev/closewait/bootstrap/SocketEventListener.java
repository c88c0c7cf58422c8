package dev.closewait.bootstrap;

/**
 * What the hooks report, implemented by the agent. Lives on the bootstrap path, so its signatures use JDK types only.
 * The {@code socket} argument is whatever object the instrumented JDK method had at hand (a socket impl, a channel,
 * an SSL socket or a file descriptor); the agent decides which tracked socket it means.
 */
public interface SocketEventListener {

    void opened(Object socket, boolean accepted);

    void connected(Object socket);

    void secured(Object sslSocket);

    void endOfStream(Object socket);

    void wrote(Object socket);

    /**
     * The first read that returned data, or the first write, of a run of operations of one thread on one socket in
     * one direction ({@code write}): where the application last used the socket. Filtered per thread by
     * {@link SocketHooks}, so it comes once per turn of a request and reply, not once per read or write.
     */
    default void used(Object socket, boolean write) {
    }

    void inputShutdown(Object socket);

    void closed(Object socket);

    /** A hook caught this; the agent counts and logs it. Must not throw. */
    void hookFailed(Throwable failure);
}
