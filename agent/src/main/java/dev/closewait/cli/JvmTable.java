package dev.closewait.cli;

import dev.closewait.text.SafeText;

import java.io.File;
import java.util.List;

/** The list command's table: pid, whether closewait runs there, and a command line short enough for one row. */
final class JvmTable {

    /** Characters of the command line shown; the rest becomes an ellipsis. */
    static final int COMMAND_WIDTH = 80;

    private JvmTable() {
    }

    static String render(List<AttachApi.Jvm> jvms, List<String> closewait) {
        StringBuilder table = new StringBuilder(String.format("%-8s %-9s %s%n", "PID", "CLOSEWAIT", "COMMAND"));
        for (int i = 0; i < jvms.size(); i++) {
            AttachApi.Jvm jvm = jvms.get(i);
            table.append(String.format("%-8s %-9s %s%n", SafeText.bounded(jvm.pid(), 20), closewait.get(i),
                    shorten(jvm.name())));
        }
        return table.toString();
    }

    /**
     * The main class or jar, with a jar's directory dropped, then its arguments, cut to {@link #COMMAND_WIDTH}
     * characters; control characters escaped. "?" when the JVM does not say.
     */
    static String shorten(String command) {
        if (command == null || command.isBlank()) {
            return "?";
        }
        String[] parts = command.strip().split(" ", 2);
        String main = parts[0].endsWith(".jar") ? new File(parts[0]).getName() : parts[0];
        String line = SafeText.escape(parts.length > 1 ? main + " " + parts[1] : main);
        return line.length() <= COMMAND_WIDTH ? line : line.substring(0, COMMAND_WIDTH - 1) + "…";
    }
}
