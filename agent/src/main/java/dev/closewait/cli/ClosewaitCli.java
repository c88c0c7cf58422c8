package dev.closewait.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code java -jar closewait-agent.jar list | attach <pid> [options] | report <pid> [--json]}: the agent for a JVM that
 * is already running. Exit status 0 on success, 1 when the target refused or failed, 2 for a usage error.
 */
public final class ClosewaitCli {

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar closewait-agent.jar <command>",
            "  list                          Java processes of this user that closewait can attach to",
            "  attach <pid> [key=value,...]  load closewait into a running JVM, with the -javaagent options",
            "  report <pid> [--json]         print the current suspects of a JVM running closewait");

    private ClosewaitCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            Commands commands = new Commands(new AttachApi(), agentJar(), out, err);
            return switch (args[0]) {
                case "list" -> commands.list();
                case "attach" -> args.length < 2 ? usage(err) : commands.attach(args[1], args.length > 2 ? args[2] : "");
                case "report" -> args.length < 2 ? usage(err) : commands.report(args[1],
                        args.length > 2 && args[2].equals("--json"));
                default -> usage(err);
            };
        } catch (NoClassDefFoundError missingAttachModule) {
            err.println("closewait: this Java runtime has no jdk.attach module (a JRE or a jlinked image?): run the "
                    + "command with the java of a full JDK 17 or later.");
            return 1;
        }
    }

    private static int usage(PrintStream err) {
        err.println(USAGE);
        return 2;
    }

    /** This jar: the agent that attach loads. */
    private static Path agentJar() {
        try {
            return Path.of(ClosewaitCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate closewait-agent.jar", e);
        }
    }
}
