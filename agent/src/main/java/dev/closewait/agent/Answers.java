package dev.closewait.agent;

import dev.closewait.core.Clock;
import dev.closewait.core.Suspect;
import dev.closewait.report.JsonLines;
import dev.closewait.report.SuspectTable;
import dev.closewait.text.SafeText;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** What the agent answers through the {@link Mailbox}, on the detector thread: suspects as a table or JSON, or status. */
final class Answers implements Function<String, String> {

    private final Supplier<List<Suspect>> suspects;
    private final Clock clock;
    private final JsonLines json;
    private final Supplier<StatusReport> statusFactory;
    private StatusReport status; // detector thread only

    /** {@code suspects}: the current suspects, at most {@link Mailbox#MAX_SUSPECTS}, asked on the detector thread. */
    Answers(Supplier<List<Suspect>> suspects, Clock clock, JsonLines json, Supplier<StatusReport> status) {
        this.suspects = suspects;
        this.clock = clock;
        this.json = json;
        this.statusFactory = status;
    }

    @Override
    public String apply(String request) {
        switch (request) {
            case "table", "json" -> {
                List<Suspect> current = suspects.get();
                long now = clock.nanoTime(); // ages at the time of asking, not of detection
                if (request.equals("table")) {
                    return SuspectTable.render(current, now);
                }
                StringBuilder lines = new StringBuilder();
                current.forEach(suspect -> lines.append(json.suspect(suspect, now)).append('\n'));
                return lines.toString();
            }
            case "status" -> {
                if (status == null) {
                    status = statusFactory.get();
                }
                return status.render();
            }
            default -> {
                return "closewait: unsupported request '" + SafeText.bounded(request, 64) + "'\n";
            }
        }
    }
}
