package dev.closewait.core;

/** A socket worth a look right now: a reported leak still open, or one that will be reported if nothing changes. */
public record Suspect(Status status, Leak leak) {

    /**
     * The order the {@code report} command lists suspects in: leaked before pending, then by socket id, oldest first;
     * a pending socket only the kernel knows has no id yet (-1) and comes last. The sources list them in table order
     * (by descriptor number), which put a pending row first and socket #2 before #1 (new-user trial, 2026-12-02).
     */
    public static final java.util.Comparator<Suspect> ORDER = new java.util.Comparator<>() {
        @Override
        public int compare(Suspect a, Suspect b) {
            if (a.status != b.status) {
                return a.status.compareTo(b.status);
            }
            return Long.compare(idOrLast(a), idOrLast(b));
        }

        private long idOrLast(Suspect suspect) {
            long id = suspect.leak.id();
            return id < 0 ? Long.MAX_VALUE : id;
        }
    };

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
