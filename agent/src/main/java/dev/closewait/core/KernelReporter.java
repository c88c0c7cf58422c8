package dev.closewait.core;

import java.util.Map;

/**
 * What the kernel side ({@link KernelLeakFinder}, {@link UntrackedSockets}) may ask of the detector: report a
 * socket, emit an event, switch write watching. The detector knows nothing of the kernel side; this is the only way
 * between them. Every method is called on the detector's thread.
 */
public interface KernelReporter {

    /**
     * Reports a tracked socket once, as {@code kind}; {@code kernelSinceNanos} is when the kernel was first seen in
     * the leaking state. Returns false if the socket was reported or closed meanwhile.
     */
    boolean report(TrackedSocket tracked, LeakKind kind, long nowNanos, long kernelSinceNanos);

    /** Reports a leak of a socket the tracker knows nothing of (only the kernel knows it). */
    void emit(Leak leak);

    /** Reports what became of such a socket after its report (closed). */
    void emit(LeakOutcome outcome);

    /**
     * Tells the tracker that a socket in CLOSE_WAIT is within its grace period, so that writes and reads of data
     * matter.
     */
    void watchWrites(boolean wanted);

    /** Leaks reported so far, of every kind: the summary line follows new reports only. */
    long reportedCount();

    /** Passes the summary of this process's TCP sockets by state to the listener; failures are swallowed. */
    void socketStates(Map<TcpState, Integer> countsByState);
}
