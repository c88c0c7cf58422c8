package dev.closewait.agent;

import dev.closewait.config.OptionsParser;
import dev.closewait.config.ParsedOptions;

import java.io.File;

/**
 * Decides, before anything is installed, whether the agent starts at all: not in the JDK's own tools ({@code jcmd},
 * {@code jps}, {@code jstack}, {@code jfr}, ...) nor in closewait's own command line, which pick the agent up through
 * {@code JAVA_TOOL_OPTIONS} like every JVM of a container; and not when {@code enabled=false}.
 */
final class StartGate {

    /** Why the agent stays out, or null to start; {@code quiet} when nothing should be printed. */
    record Verdict(ParsedOptions options, String reason, boolean quiet) {
        boolean start() {
            return reason == null;
        }
    }

    private StartGate() {
    }

    static Verdict decide(String arguments) {
        if (isJdkTool(System.getProperty("jdk.module.main"))
                || isOwnCommandLine(System.getProperty("sun.java.command"))) {
            return new Verdict(null, "a JDK tool or closewait's own command line", true);
        }
        ParsedOptions parsed = OptionsParser.parse(arguments, System.getProperties(), System.getenv());
        if (!parsed.enabled()) {
            return new Verdict(parsed, "closewait: disabled by enabled=false (" + parsed.source("enabled")
                    + "); nothing installed.", false);
        }
        return new Verdict(parsed, null, false);
    }

    /**
     * The JDK's launchers for its tools run a main class in one of its own modules: {@code jdk.jcmd} (jcmd, jps,
     * jstack, jinfo, jmap, jstat), {@code jdk.jfr}, {@code jdk.jconsole}, {@code jdk.compiler}, {@code jdk.jshell}...
     * An application's main module is never named {@code jdk.*} or {@code java.*} (those names are reserved).
     */
    static boolean isJdkTool(String mainModule) {
        return mainModule != null && (mainModule.startsWith("jdk.") || mainModule.startsWith("java."));
    }

    /** {@code java -jar closewait-agent.jar list}, or its main class run from a class path. */
    static boolean isOwnCommandLine(String command) {
        if (command == null || command.isBlank()) {
            return false;
        }
        String first = command.strip().split(" ", 2)[0];
        if (first.equals("dev.closewait.cli.ClosewaitCli")) {
            return true;
        }
        String name = new File(first).getName();
        return name.startsWith("closewait-agent") && name.endsWith(".jar");
    }
}
