package dev.closewait.cli;

import dev.closewait.text.SafeText;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's verdict on the options it was loaded with, read from the target's system property (see
 * {@code AgentProperties.VERDICT}): what attach prints. The target wrote it, so every field is escaped again.
 */
record AttachVerdict(String state, List<String> problems, Map<String, String[]> options) {

    private static final int MAX_LINES = 200;

    static AttachVerdict parse(String property) {
        String state = "unknown";
        List<String> problems = new ArrayList<>();
        Map<String, String[]> options = new LinkedHashMap<>();
        if (property != null) {
            List<String> lines = property.lines().limit(MAX_LINES).toList();
            for (String line : lines) {
                String[] fields = line.split("\t", -1);
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = SafeText.bounded(fields[i], 500);
                }
                switch (fields[0]) {
                    case "state" -> state = fields.length > 1 ? fields[1] : state;
                    case "problem" -> {
                        if (fields.length > 1) {
                            problems.add(fields[1]);
                        }
                    }
                    case "option" -> {
                        if (fields.length > 3) {
                            options.put(fields[1], new String[] {fields[2], fields[3]});
                        }
                    }
                    default -> {
                        // a line of a later version
                    }
                }
            }
        }
        return new AttachVerdict(state, List.copyOf(problems), options);
    }

    String source(String key) {
        String[] option = options.get(key);
        return option == null ? "?" : option[1];
    }

    void printProblems(PrintStream err) {
        problems.forEach(problem -> err.println("rejected: " + problem));
    }

    /** The effective options, one per line, with where each came from. */
    void printOptions(PrintStream out) {
        if (options.isEmpty()) {
            return;
        }
        int width = options.keySet().stream().mapToInt(String::length).max().orElse(0);
        int valueWidth = options.values().stream().mapToInt(v -> v[0].length()).max().orElse(0);
        out.println("Effective options:");
        options.forEach((key, value) -> out.println("  " + pad(key, width) + "  " + pad(value[0], valueWidth) + "  "
                + value[1]));
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
