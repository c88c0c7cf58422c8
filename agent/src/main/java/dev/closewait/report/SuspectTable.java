package dev.closewait.report;

import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.SocketType;
import dev.closewait.core.Suspect;

import dev.closewait.text.SafeText;

import java.util.ArrayList;
import java.util.List;

/** The report command's table: one line per suspect, columns sized to their content. */
public final class SuspectTable {

    private static final String[] HEADER = {
            "ID", "STATUS", "KIND", "TYPE", "ROLE", "LOCAL", "REMOTE", "FD", "OPEN FOR", "WHERE"};

    private SuspectTable() {
    }

    /** The table with ages as they were when each suspect was detected; see {@link #render(List, long)}. */
    public static String render(List<Suspect> suspects) {
        return render(suspects, Long.MIN_VALUE);
    }

    /**
     * The table, with {@code OPEN FOR} computed at {@code nowNanos}, the detector clock's monotonic time of asking.
     * Every cell the host controls is escaped.
     */
    public static String render(List<Suspect> suspects, long nowNanos) {
        if (suspects.isEmpty()) {
            return "No suspects: every socket that read EOF or reached CLOSE_WAIT was closed in time.\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Suspect suspect : suspects) {
            String[] row = row(suspect, nowNanos);
            for (int i = 0; i < row.length; i++) {
                row[i] = SafeText.escape(row[i]);
            }
            rows.add(row);
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                table.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            table.append('\n');
        }
        return table.toString();
    }

    /** How long the socket has been open at {@code nowNanos}, or -1 when the agent never saw it opened. */
    public static long openForNanos(Leak leak, long nowNanos) {
        if (leak.ageNanos() < 0) {
            return -1;
        }
        return nowNanos == Long.MIN_VALUE ? leak.ageNanos() : Math.max(leak.ageNanos(), nowNanos - leak.openedNanos());
    }

    private static String[] row(Suspect suspect, long nowNanos) {
        Leak leak = suspect.leak();
        Endpoints endpoints = leak.endpoints();
        String site = Sites.DEFAULT.site(leak);
        String where = site != null ? site
                : leak.stacksSampledOut() ? "stacks not recorded (stack-sample)" : "allocation unknown: not seen opened";
        return new String[] {
                leak.id() > 0 ? Long.toString(leak.id()) : "-", // a socket not reported yet has no id
                suspect.status().id(),
                leak.kind().id(),
                shortType(leak.type()),
                leak.role(),
                orElse(Endpoints.format(endpoints.local()), "?"),
                orElse(Endpoints.format(endpoints.remote()), "?"),
                endpoints.fd() < 0 ? "?" : Integer.toString(endpoints.fd()),
                openForNanos(leak, nowNanos) < 0 ? "?" : Durations.human(openForNanos(leak, nowNanos)),
                where};
    }

    private static String shortType(SocketType type) {
        String name = type.displayName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
