package dev.closewait.agent;

import dev.closewait.config.EffectiveOptions;
import dev.closewait.config.ParsedOptions;
import dev.closewait.text.SafeText;

/** Publishes the agent's verdict on its options in {@link AgentProperties#VERDICT}, for the attach command. */
final class Verdict {

    private Verdict() {
    }

    static void publish(String state, ParsedOptions parsed) {
        StringBuilder text = new StringBuilder("state\t").append(state).append('\n');
        if (parsed != null) {
            for (String problem : parsed.problems()) {
                text.append("problem\t").append(SafeText.escape(problem)).append('\n');
            }
            for (EffectiveOptions.Entry option : EffectiveOptions.of(parsed)) {
                text.append("option\t").append(SafeText.escape(option.key())).append('\t')
                        .append(SafeText.bounded(option.value(), 200)).append('\t')
                        .append(SafeText.bounded(option.source(), 200)).append('\n');
            }
        }
        System.setProperty(AgentProperties.VERDICT, text.toString());
    }
}
