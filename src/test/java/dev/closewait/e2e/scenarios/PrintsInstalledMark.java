package dev.closewait.e2e.scenarios;

/** Prints the agent's "installed" system property, which a failed start must not leave set, then waits. */
public final class PrintsInstalledMark {

    public static void main(String[] args) {
        System.out.println("MAIN installed=" + System.getProperty("dev.closewait.agent.installed"));
        Scenario.readyThenAwaitExit(0, 0);
    }
}
