package dev.closewait.core;

/**
 * The stack at a socket event. Capturing it records the frames natively; they are turned into
 * {@link StackTraceElement}s only if a leak is reported, which keeps the cost per socket low.
 */
public final class CallSite extends Throwable {

    private static final long serialVersionUID = 1L;

    public CallSite() {
        super(null, null, false, true);
    }
}
