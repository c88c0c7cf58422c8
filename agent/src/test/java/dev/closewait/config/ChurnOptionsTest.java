package dev.closewait.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChurnOptionsTest {

    private static ParsedOptions parse(String agentArgs) {
        return OptionsParser.parse(agentArgs, new Properties(), Map.of());
    }

    @Test
    void isOnAtTenPercentOfThePortRangeByDefault() {
        ChurnOptions churn = parse("").options().churn();
        assertTrue(churn.on());
        assertEquals(2823, churn.threshold(28_232));
        assertEquals(2999, churn.threshold(29_990));
        assertEquals("10%", churn.warnText());
    }

    @ParameterizedTest
    @CsvSource({"off,false", "on,true", "OFF,false", "true,true", "false,false"})
    void readsTheSwitch(String value, boolean on) {
        ParsedOptions parsed = parse("churn=" + value);
        assertEquals(on, parsed.options().churn().on());
        assertEquals(java.util.List.of(), parsed.problems());
    }

    @ParameterizedTest
    @CsvSource({"500,28232,500", "1,28232,1", "1000000,28232,1000000", "2.5%,28232,705", "100%,28232,28232",
            "0.001%,28232,1", "50%,1000,500"})
    void readsACountOrAShareOfThePortRange(String value, int ports, long threshold) {
        ParsedOptions parsed = parse("churn-warn=" + value);
        assertEquals(java.util.List.of(), parsed.problems());
        assertEquals(threshold, parsed.options().churn().threshold(ports));
        assertEquals(value, parsed.options().churn().warnText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0%", "101%", "-5", "1000001", "ten", "10 %", "%", "1e3", "10%%", "2.5", ""})
    void rejectsABadThresholdNamingTheAllowedValuesAndKeepsTheDefault(String value) {
        ParsedOptions parsed = parse("churn-warn=" + value);
        assertEquals(1, parsed.problems().size(), parsed.problems()::toString);
        String problem = parsed.problems().get(0);
        assertTrue(problem.startsWith("closewait: option 'churn-warn' has invalid value '" + value.trim() + "'"),
                problem);
        assertTrue(problem.contains("from 1 to 1000000") && problem.contains("such as 10% or 2.5%")
                && problem.endsWith("using 10%."), problem);
        assertEquals(ChurnOptions.DEFAULTS, parsed.options().churn());
    }

    @Test
    void rejectsABadSwitchNamingOnAndOff() {
        ParsedOptions parsed = parse("churn=maybe");
        assertEquals(java.util.List.of("closewait: option 'churn' has invalid value 'maybe': expected on or off; "
                + "using on."), parsed.problems());
        assertTrue(parsed.options().churn().on());
    }

    @Test
    void keepsTheThresholdWhenSwitchedOffAndOnAgainFromAnotherSource() {
        Properties properties = new Properties();
        properties.setProperty("closewait.churn-warn", "300");
        ParsedOptions parsed = OptionsParser.parse("churn=off", properties, Map.of("CLOSEWAIT_CHURN_WARN", "5%"));
        assertFalse(parsed.options().churn().on());
        assertEquals(300, parsed.options().churn().threshold(28_232));
    }
}
