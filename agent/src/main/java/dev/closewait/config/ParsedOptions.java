package dev.closewait.config;

import java.util.List;
import java.util.Map;

/**
 * The options to run with, and one readable line for each problem found on the way (bad keys or values).
 *
 * @param enabled  false when {@code enabled=false} came from any source: the agent installs nothing
 * @param sources  for each option set from somewhere (not left at its default): where its effective value came from,
 *                 such as {@code agent argument}, {@code -Dclosewait.grace}, {@code environment CLOSEWAIT_GRACE} or
 *                 {@code config file /etc/closewait.properties}
 * @param accepted for the same options: the value text as given there
 */
public record ParsedOptions(AgentOptions options, List<String> problems, boolean enabled, Map<String, String> sources,
                            Map<String, String> accepted) {

    public ParsedOptions {
        problems = List.copyOf(problems);
        sources = Map.copyOf(sources);
        accepted = Map.copyOf(accepted);
    }

    /** Enabled, with no record of sources. */
    public ParsedOptions(AgentOptions options, List<String> problems) {
        this(options, problems, true, Map.of(), Map.of());
    }

    /** Where the option's value came from: a source named in {@link #sources}, or {@code default}. */
    public String source(String key) {
        return sources.getOrDefault(key, "default");
    }
}
