package dev.closewait.core;

/**
 * Asks the kernel, for one socket the agent tracks, what it knows of the connection right now, without reading or
 * changing anything. Implemented outside {@code core} (it needs JDK internals); called on the detector thread only.
 */
public interface SocketProbe {

    /** What the kernel says of one connection. */
    enum Result {
        /** The connection is up and the peer has not closed its side (or its state cannot be told, e.g. still connecting). */
        ALIVE,
        /** The peer closed its side (FIN; the kernel holds the socket in CLOSE_WAIT) and this side is still open. */
        PEER_CLOSED,
        /** The connection is gone (reset, or closed both ways) while the descriptor is still open. */
        CONNECTION_GONE,
        /** Nothing can be said: the socket was closed, or its descriptor changed, while it was probed. */
        UNKNOWN
    }

    /**
     * Probes the socket {@code socket} (the tracked key object), whose descriptor number was {@code fd}. Must not
     * block, consume data or throw; returns {@link Result#UNKNOWN} when it cannot be sure the answer is about this
     * very socket.
     */
    Result probe(Object socket, int fd);

    /** A probe that never knows anything: for systems without one. */
    SocketProbe NONE = new SocketProbe() {
        @Override
        public Result probe(Object socket, int fd) {
            return Result.UNKNOWN;
        }
    };
}
