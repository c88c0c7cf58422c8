package dev.closewait.config;

import java.util.List;

/** The options to run with, and one readable line for each problem found on the way (bad keys or values). */
public record ParsedOptions(AgentOptions options, List<String> problems) {

    public ParsedOptions {
        problems = List.copyOf(problems);
    }
}
