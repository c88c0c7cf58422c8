package dev.closewait.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrometheusTextTest {

    private static Meter counter(String name, String unit, double value, String... tags) {
        return new Meter(name, Meter.Type.COUNTER, "Help for " + name, unit, List.of(tags), () -> value);
    }

    private static Meter gauge(String name, String unit, double value, String... tags) {
        return new Meter(name, Meter.Type.GAUGE, "Help for " + name, unit, List.of(tags), () -> value);
    }

    @Test
    void writesHelpAndTypeOncePerNameThenEverySeries() {
        String text = PrometheusText.render(List.of(
                counter("closewait.leaks", "leaks", 2, "kind", "eof-not-closed"),
                gauge("closewait.sockets.tracked", "sockets", 7),
                counter("closewait.leaks", "leaks", 0, "kind", "close-wait")));

        assertEquals("""
                # HELP closewait_leaks_total Help for closewait.leaks
                # TYPE closewait_leaks_total counter
                closewait_leaks_total{kind="eof-not-closed"} 2
                closewait_leaks_total{kind="close-wait"} 0
                # HELP closewait_sockets_tracked_sockets Help for closewait.sockets.tracked
                # TYPE closewait_sockets_tracked_sockets gauge
                closewait_sockets_tracked_sockets 7
                """, text);
    }

    @Test
    void namesFollowMicrometersPrometheusConvention() {
        assertEquals("closewait_leaks_total", PrometheusText.name(counter("closewait.leaks", "leaks", 0)));
        assertEquals("closewait_agent_errors_total", PrometheusText.name(counter("closewait.agent.errors", "errors", 0)));
        assertEquals("closewait_sockets_leaked_sockets",
                PrometheusText.name(gauge("closewait.sockets.leaked", "sockets", 0)));
        assertEquals("closewait_kernel_sockets", PrometheusText.name(gauge("closewait.kernel.sockets", "sockets", 0)));
        assertEquals("a_b_c", PrometheusText.name(gauge("a.b-c", null, 0)));
    }

    @Test
    void escapesLabelValuesAndHelp() {
        Meter meter = new Meter("x", Meter.Type.GAUGE, "line one\nback\\slash", null,
                List.of("site", "a\"quoted\" \\ path\nnext"), () -> 1);

        assertEquals("""
                # HELP x line one\\nback\\\\slash
                # TYPE x gauge
                x{site="a\\"quoted\\" \\\\ path\\nnext"} 1
                """, PrometheusText.render(List.of(meter)));
    }

    @Test
    void writesSpecialAndFractionalValues() {
        assertEquals("NaN", PrometheusText.value(Double.NaN));
        assertEquals("+Inf", PrometheusText.value(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", PrometheusText.value(Double.NEGATIVE_INFINITY));
        assertEquals("0.5", PrometheusText.value(0.5));
        assertEquals("12345678", PrometheusText.value(12_345_678));
    }

    @Test
    void aMeterThatFailsToReadIsNotANumber() {
        Meter broken = new Meter("x", Meter.Type.GAUGE, "h", null, List.of(), () -> {
            throw new IllegalStateException("broken");
        });

        assertEquals("# HELP x h\n# TYPE x gauge\nx NaN\n", PrometheusText.render(List.of(broken)));
    }

    @Test
    void sanitizesNamesAndLabelNames() {
        assertEquals("_lives_a_b", PrometheusText.sanitize("9lives.a-b"));
        assertEquals("caf_", PrometheusText.sanitize("café"));
    }
}
