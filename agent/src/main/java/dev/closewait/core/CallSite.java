package dev.closewait.core;

/**
 * The stack at a socket event. Capturing it records the frames natively; they are turned into
 * {@link StackTraceElement}s only if a leak is reported, which keeps the cost per socket low. Sockets that stay
 * open swap theirs for a shared copy from the {@link StackTable}, which keeps the memory per socket low.
 */
public class CallSite extends Throwable {

    private static final long serialVersionUID = 1L;

    /**
     * Stands for a stack not recorded because of sampling ({@code stack-sample}): the socket is tracked and reported
     * all the same, without stacks.
     */
    public static final CallSite NOT_SAMPLED = new Given(new StackTraceElement[0]);

    /**
     * True for the one shared instance per distinct stack (it fits in the object's padding: no extra bytes), and for
     * stand-ins, which the {@link StackTable} must leave alone too.
     */
    private final boolean shared;

    public CallSite() {
        super(null, null, false, true);
        shared = false;
    }

    /** Only for {@link Given}: the frames are given, never captured (see {@link Given#fillInStackTrace}). */
    private CallSite(StackTraceElement[] frames) {
        super(null, null, false, true);
        setStackTrace(frames);
        shared = true;
    }

    /** A shared call site with exactly these frames, for {@link StackTable}. */
    static CallSite shared(StackTraceElement[] frames) {
        return new Given(frames);
    }

    /**
     * A call site whose frames are given. {@code Throwable}'s constructor walks the stack ({@code fillInStackTrace})
     * whenever the stack trace is writable, which it must be here for {@code setStackTrace}; this class makes that
     * walk a no-op. Every stand-in and shared copy used to pay a full walk that {@code setStackTrace} then threw
     * away: about as much as the capture it stood in for (async-profiler, issue 16).
     */
    private static class Given extends CallSite {
        private static final long serialVersionUID = 1L;

        Given(StackTraceElement[] frames) {
            super(frames);
        }

        @Override
        public Throwable fillInStackTrace() {
            return this;
        }
    }

    boolean isShared() {
        return shared;
    }

    /**
     * The id of the socket whose stack this is, when it stands in for the stack of another socket of the same site
     * that was not captured ({@link StackCapture}); -1 for a socket's own stack.
     */
    public long standsInFor() {
        return -1;
    }

    /** A call site with the frames of {@code captured}, the stack of socket {@code socketId}, for others to share. */
    static CallSite standingIn(CallSite captured, long socketId, Creation creation) {
        return new StandIn(captured, socketId, creation);
    }

    /**
     * For a stand-in, where the socket it stands in for was created, when that was captured
     * ({@link ChannelCreations}); null otherwise.
     */
    public Creation standInCreation() {
        return null;
    }

    private static final class StandIn extends Given {
        private static final long serialVersionUID = 1L;
        private final transient CallSite captured;
        private final long socketId;
        private final transient Creation creation;

        StandIn(CallSite captured, long socketId, Creation creation) {
            super(new StackTraceElement[0]);
            this.captured = captured;
            this.socketId = socketId;
            this.creation = creation;
        }

        @Override
        public Creation standInCreation() {
            return creation;
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            return captured.getStackTrace();
        }

        @Override
        public long standsInFor() {
            return socketId;
        }
    }
}
