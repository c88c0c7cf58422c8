package dev.closewait.agent;

/**
 * System properties a running agent sets, which the command line reads through the attach API. Not under the
 * {@code closewait.} prefix, which is read as options.
 */
public final class AgentProperties {

    /** Set once the agent is in; a second load (flag plus attach, or attached twice) sees it and stays out. */
    public static final String INSTALLED = "dev.closewait.agent.installed";

    /** The directory through which the report command asks for the current suspects. */
    public static final String MAILBOX = "dev.closewait.agent.mailbox";

    /**
     * The agent's verdict on its options, for {@code attach} to print: lines of tab-separated fields, each field
     * escaped ({@link dev.closewait.text.SafeText}): {@code state installed|disabled|failed}, then
     * {@code problem <line>} for each rejected option and {@code option <key> <value> <source>} for each effective one.
     */
    public static final String VERDICT = "dev.closewait.agent.verdict";

    /** Why the report and status commands cannot reach this JVM (the mailbox could not be created), if so. */
    public static final String MAILBOX_ERROR = "dev.closewait.agent.mailbox.error";

    private AgentProperties() {
    }
}
