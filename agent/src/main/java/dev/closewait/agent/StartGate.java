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

    static Verdict decide(String arguments) {
        ParsedOptions parsed = OptionsParser.parse(arguments, System.getProperties(), System.getenv());
        if (!parsed.enabled()) {
            return new Verdict(parsed, "closewait: disabled by enabled=false (" + parsed.source("enabled")
                    + "); nothing installed.");
        }
        return new Verdict(parsed, null);
    }
}
