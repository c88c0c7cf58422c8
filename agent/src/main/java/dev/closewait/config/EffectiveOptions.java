package dev.closewait.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every option with the value the agent runs with and where that value came from: for attach and status. */
public final class EffectiveOptions {

    /** One option: its key, its value as text, and its source ({@code default} when no source set it). */
    public record Entry(String key, String value, String source) {
    }

    private EffectiveOptions() {
    }

    public static List<Entry> of(ParsedOptions parsed) {
        List<Entry> entries = new ArrayList<>();
        for (String key : OptionsParser.KEYS) {
            String value = parsed.accepted().get(key);
            if (value == null) {
                value = defaultText(key, parsed.options());
            } else if (key.equals("report") && parsed.options().report() != null) {
                // Resolved in the target JVM: a relative path is relative to its working directory, not to that of
                // whoever attached (a review found the file where the attach command did not say).
                value = parsed.options().report().toAbsolutePath().toString();
            }
            entries.add(new Entry(key, value, parsed.source(key)));
        }
        return entries;
    }

    /** The value of an option no source set, as a user would write it. */
    private static String defaultText(String key, AgentOptions defaults) {
        return switch (key) {
            case "grace" -> OptionsParser.format(defaults.grace());
            case "report", "config", "exclude", "app-packages", "library-packages" -> "none";
            case "include" -> "all";
            case "report-max-size" -> OptionsParser.formatSize(defaults.reportMaxBytes());
            case "stack-depth" -> Integer.toString(defaults.stackDepth());
            case "stack-sample" -> Integer.toString(defaults.stackSample());
            case "log" -> defaults.log().name().toLowerCase(Locale.ROOT);
            case "kernel" -> defaults.kernel() ? "on" : "off";
            case "metrics-port" -> defaults.metrics().port() > 0 ? Integer.toString(defaults.metrics().port()) : "none";
            case "metrics-host" -> defaults.metrics().host();
            case "metrics-sites" -> Integer.toString(defaults.metrics().sites());
            case "enabled" -> "true";
            case "churn" -> defaults.churn().on() ? "on" : "off";
            case "churn-warn" -> defaults.churn().warnText();
            case "report-trust" -> defaults.reportTrust() ? "on" : "off";
            default -> "(default)";
        };
    }
}
