package dev.closewait.e2e;

/**
 * What a leaking scenario must produce: this many reports of this kind, type and role, and whether the leaked side
 * is still in CLOSE_WAIT according to the kernel (false where the JDK's cleaner closed the descriptor, or the peer
 * reset the connection).
 */
public record LeakExpectation(String kind, String type, String role, boolean kernelShowsCloseWait) {

    public static LeakExpectation eofNotClosed(String type, String role) {
        return new LeakExpectation("eof-not-closed", type, role, true);
    }

    public LeakExpectation withoutCloseWait() {
        return new LeakExpectation(kind, type, role, false);
    }
}
