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

    private AgentProperties() {
    }
}
