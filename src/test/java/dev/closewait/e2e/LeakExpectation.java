package dev.closewait.e2e;

/** What a leaking scenario must produce: reports of this kind, type and role, and what the kernel must show. */
public record LeakExpectation(String kind, String type, String role, KernelView kernel) {

    /** What the kernel shows of a leaked socket. */
    public enum KernelView {
        /** The descriptor is open and `ss` lists the connection in CLOSE_WAIT: reports and `ss` must match. */
        CLOSE_WAIT,
        /** The descriptor is open but the peer reset the connection, so `ss` no longer lists it. */
        RESET,
        /** The JDK closed the descriptor itself (a collected Socket's cleaner): nothing left to compare. */
        RELEASED
    }

    public static LeakExpectation eofNotClosed(String type, String role) {
        return new LeakExpectation("eof-not-closed", type, role, KernelView.CLOSE_WAIT);
    }

    public LeakExpectation kernel(KernelView view) {
        return new LeakExpectation(kind, type, role, view);
    }

    boolean descriptorOpen() {
        return kernel != KernelView.RELEASED;
    }
}
