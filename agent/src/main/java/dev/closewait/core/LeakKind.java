package dev.closewait.core;

/** Why a socket counts as leaked; each socket is reported under one kind only. */
public enum LeakKind {
    /** The peer closed, the application read EOF, and no close() followed within the grace period. */
    EOF_NOT_CLOSED("eof-not-closed"),
    /** The socket became unreachable without close(). */
    GC_NOT_CLOSED("gc-not-closed"),
    /** The kernel showed it in CLOSE_WAIT (the peer closed) for the grace period; the application never read EOF. */
    CLOSE_WAIT("close-wait"),
    /** Its descriptor is open but the kernel dropped the connection (the peer reset it); never closed. */
    RESET_NOT_CLOSED("reset-not-closed");

    private final String id;

    LeakKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
