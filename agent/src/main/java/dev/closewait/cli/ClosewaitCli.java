package dev.closewait.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code java -jar closewait-agent.jar list | attach <pid> [options] | report <pid> [--json] | status <pid>}: the agent
 * for a JVM that is already running. Exit status 0 on success, 1 when the target refused or failed (or rejected an
 * option given to attach), 2 for a usage error.
 */
public final class ClosewaitCli {

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar closewait-agent.jar <command>",
            "  list                          Java processes of this user, and whether each runs closewait",
            "  attach <pid> [key=value,...]  load closewait into a running JVM, with the -javaagent options",
            "  report <pid> [--json]         print the current suspects of a JVM running closewait",
            "  status <pid>                  print what closewait in that JVM is doing: options, counts, sinks");

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
            boolean json = java.util.Arrays.asList(args).contains("--json");
            java.util.List<String> words = Commands.withoutFlags(java.util.Arrays.asList(args));
            String problem = problem(words, json);
            if (problem != null) {
                err.println("closewait: " + problem);
                return usage(err);
            }
            return switch (words.get(0)) {
                case "list" -> commands.list();
                case "attach" -> commands.attach(words.get(1), words.size() > 2 ? words.get(2) : "");
                case "report" -> commands.ask(words.get(1), json ? "json" : "table");
                default -> commands.ask(words.get(1), "status");
            };
        } catch (NoClassDefFoundError missingAttachModule) {
            err.println("closewait: this Java runtime has no jdk.attach module (a JRE or a jlinked image?): run the "
                    + "command with the java of a full JDK 17 or later.");
            return 1;
        }
    }

    /**
     * What is wrong with a command line, in words, or null: an unknown command, a flag other than {@code --json}
     * (which only {@code report} takes), a missing process id or extra words. Before, each printed the bare usage
     * text, which did not say what was wrong (new-user trial, 2026-12-02).
     */
    static String problem(java.util.List<String> words, boolean json) {
        if (words.isEmpty()) {
            return "no command given.";
        }
        String command = words.get(0);
        for (String word : words) {
            if (word.startsWith("--")) {
                return "unknown option '" + dev.closewait.text.SafeText.bounded(word, 40) + "'; only report takes "
                        + "--json.";
            }
        }
        int most = switch (command) {
            case "list" -> 1;
            case "attach" -> 3;
            case "report", "status" -> 2;
            default -> -1;
        };
        if (most < 0) {
            return "unknown command '" + dev.closewait.text.SafeText.bounded(command, 40) + "'.";
        }
        if (json && !command.equals("report")) {
            return "only report takes --json.";
        }
        if (most > 1 && words.size() < 2) {
            return command + " needs a process id (see: list).";
        }
        if (words.size() > most) {
            return "unexpected '" + dev.closewait.text.SafeText.bounded(words.get(most), 40) + "' after " + command
                    + (command.equals("attach") ? " <pid> [options]" : most > 1 ? " <pid>" : "") + ".";
        }
        return null;
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
