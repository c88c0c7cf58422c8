package dev.closewait.e2e.scenarios;

import java.util.Properties;

/**
 * An application that replaces its system properties with a copy (as some frameworks do), losing every property the
 * agent set; it then waits, so that the test can attach to it.
 */
public final class ReplacesSystemProperties {

    public static void main(String[] args) {
        Properties copy = new Properties();
        copy.putAll(System.getProperties());
        copy.keySet().removeIf(name -> name.toString().startsWith("dev.closewait."));
        System.setProperties(copy);
        System.out.println("PROPERTIES REPLACED installed=" + System.getProperty("dev.closewait.agent.installed"));
        Scenario.readyThenAwaitExit(0, 0);
    }
}
