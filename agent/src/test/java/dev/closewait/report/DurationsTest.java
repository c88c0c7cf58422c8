package dev.closewait.report;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DurationsTest {

    @ParameterizedTest(name = "{0}ns reads {1}")
    @CsvSource({
            "-5000000000, 0ms",
            "0, 0ms",
            "999999, 0ms",
            "850000000, 850ms",
            "999999999, 999ms",
            "1000000000, 1.0s",
            "5000000000, 5.0s",
            "12345000000, 12.3s",
            "59999000000, 59.9s",       // never "60.0s": under a minute stays under a minute
            "60000000000, 1m00s",
            "192000000000, 3m12s",
            "3599999000000, 59m59s",
            "3600000000000, 1h00m",
            "7500000000000, 2h05m",
            "90000000000000, 25h00m"})
    void showsADurationShortly(long nanos, String expected) {
        assertEquals(expected, Durations.human(nanos));
    }
}
