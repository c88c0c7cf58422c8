package dev.closewait.report;

import dev.closewait.text.SafeText;
import dev.closewait.core.Leak;

/**
 * A leak's stacks as a {@link Throwable}, for the application's logging: every backend renders and folds a
 * throwable natively, and JSON encoders put it in their stack-trace field. Its own stack is the most telling one
 * (the last use when recorded, else the allocation); the others follow as suppressed traces. It captures no stack
 * of its own: {@link #fillInStackTrace()} does nothing.
 */
public final class LeakTrace extends Throwable {

    private static final long serialVersionUID = 1L;

    private LeakTrace(String message, StackTraceElement[] frames) {
        super(message, null, true, true);
        setStackTrace(frames);
    }

    /**
     * The traces of {@code leak}'s stacks, at most {@code depth} frames each, its creation's only when
     * {@code withCreation} ({@link Sites#showsCreation}); null when it has no stack.
     */
    public static LeakTrace of(Leak leak, int depth, boolean withCreation) {
        LeakTrace first = null;
        if (leak.hasLastUse()) {
            first = new LeakTrace("Last used (" + (leak.lastUse().write() ? "write" : "read") + ") on thread "
                    + SafeText.quotedName(leak.lastUse().thread()),
                    StackFrames.elements(leak.lastUse().site(), depth));
        }
        if (leak.allocationKnown()) {
            LeakTrace allocation = new LeakTrace((leak.accepted() ? "Accepted" : "Connected") + " on thread "
                    + SafeText.quotedName(leak.openThread()) + (leak.allocationFrom() < 0 ? ""
                    : " (its own stack not recorded: where socket #" + leak.allocationFrom() + " of the same site was opened)"),
                    StackFrames.elements(leak.allocation(), depth));
            first = add(first, allocation);
        }
        if (withCreation && leak.hasCreation()) {
            first = add(first, new LeakTrace("Created on thread " + SafeText.quotedName(leak.creation().thread())
                    + (leak.allocationFrom() < 0 ? "" : " (socket #" + leak.allocationFrom() + ")"),
                    StackFrames.elements(leak.creation().site(), depth)));
        }
        if (leak.hasEndOfStream() && Sites.recorded(leak.endOfStream().site())) {
            first = add(first, new LeakTrace("EOF read on thread " + SafeText.quotedName(leak.endOfStream().thread()),
                    StackFrames.elements(leak.endOfStream().site(), depth)));
        }
        return first;
    }

    private static LeakTrace add(LeakTrace first, LeakTrace next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // the frames are the socket's, set by the constructor; nothing to capture here
    }
}
