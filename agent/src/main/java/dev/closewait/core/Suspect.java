package dev.closewait.core;

/** A socket worth a look right now: a reported leak still open, or one that will be reported if nothing changes. */
public record Suspect(Status status, Leak leak) {

    public enum Status {
        /** Reported, not closed yet. */
        LEAKED,
        /** EOF read or CLOSE_WAIT seen, still within grace. */
        PENDING;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
