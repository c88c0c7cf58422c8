package dev.closewait.core;

/** The public JDK type the application uses, named as reports show it. */
public enum SocketType {
    SOCKET("java.net.Socket"),
    SSL_SOCKET("javax.net.ssl.SSLSocket"),
    SOCKET_CHANNEL("java.nio.channels.SocketChannel"),
    ASYNC_SOCKET_CHANNEL("java.nio.channels.AsynchronousSocketChannel"),
    /** A socket the agent never saw opened: only the kernel knows it. */
    UNKNOWN("unknown");

    private final String displayName;

    SocketType(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /**
     * Whether a socket of this type keeps its file descriptor open when it is garbage-collected without close():
     * channels have no cleaner (JDK 17 and 25), while {@code java.net.Socket}'s implementation has one that closes
     * it.
     */
    public boolean keepsDescriptorWhenCollected() {
        return this == SOCKET_CHANNEL || this == ASYNC_SOCKET_CHANNEL;
    }
}
