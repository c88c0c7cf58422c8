package dev.closewait.agent;

import dev.closewait.config.OptionsParser;
import dev.closewait.config.ParsedOptions;

import java.util.Locale;

/**
 * Reads the options and decides whether the agent installs anything: not when {@code enabled=false} (agent argument,
 * {@code -Dclosewait.enabled}, {@code CLOSEWAIT_ENABLED} or the config file). JDK tools and closewait's own command
 * line are kept out earlier, by {@link ClosewaitAgent}, before the agent's class loader exists.
 */
final class StartGate {

    /** The options, and why the agent stays out (one line to print), or null to start. */
    record Verdict(ParsedOptions options, String reason) {
        boolean start() {
            return reason == null;
        }
    }

    private StartGate() {
    }

    /**
     * Whether any source could say {@code enabled=false}: the agent argument mentions {@code enabled} or
     * {@code config} (a config file may), or the matching system property or environment variable is set. If none
     * can, reading the options waits until the hooks are in place.
     */
    static boolean couldStayOut(String arguments) {
        String lower = arguments == null ? "" : arguments.toLowerCase(Locale.ROOT);
        return lower.contains("enabled") || lower.contains("config")
                || System.getProperty(OptionsParser.PROPERTY_PREFIX + "enabled") != null
                || System.getProperty(OptionsParser.PROPERTY_PREFIX + "config") != null
                || System.getenv(OptionsParser.ENV_PREFIX + "ENABLED") != null
                || System.getenv(OptionsParser.ENV_PREFIX + "CONFIG") != null;
    }

    /**
     * Whether the user gave any option: a non-blank agent argument, a {@code closewait.*} system property or a
     * {@code CLOSEWAIT_*} environment variable. Then the JVM's exit waits for the start line and the option
     * problems, even in a program that opened no socket: a typo must not go unsaid.
     */
    static boolean optionsGiven(String arguments) {
        if (arguments != null && !arguments.isBlank()) {
            return true;
        }
        for (Object name : System.getProperties().keySet()) {
            if (name instanceof String key && key.startsWith(OptionsParser.PROPERTY_PREFIX)) {
                return true;
            }
        }
        for (String name : System.getenv().keySet()) {
            if (name.startsWith(OptionsParser.ENV_PREFIX)) {
                return true;
            }
        }
        return false;
    }

    static Verdict decide(String arguments) {
        ParsedOptions parsed = OptionsParser.parse(arguments, System.getProperties(), System.getenv());
        if (!parsed.enabled()) {
            return new Verdict(parsed, "closewait: disabled by enabled=false (" + parsed.source("enabled")
                    + "); nothing installed.");
        }
        return new Verdict(parsed, null);
    }
}
