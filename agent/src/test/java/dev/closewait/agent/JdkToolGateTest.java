package dev.closewait.agent;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdkToolGateTest {

    /** The main modules of jcmd, jps, jstack, jinfo, jmap, jstat (jdk.jcmd), jfr, jconsole, javac, jshell. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk.jcmd", "jdk.jfr", "jdk.jconsole", "jdk.compiler", "jdk.jshell", "java.base"})
    void staysOutOfTheJdksTools(String mainModule) {
        assertTrue(ClosewaitAgent.isJdkTool(mainModule));
    }

    @ParameterizedTest
    @ValueSource(strings = {"com.acme.app", "jdkish.app", "org.jdk.tools", ""})
    void startsInApplicationsWithAMainModule(String mainModule) {
        assertFalse(ClosewaitAgent.isJdkTool(mainModule));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/opt/closewait/closewait-agent.jar list", "closewait-agent.jar",
            "dev.closewait.cli.ClosewaitCli report 12", "/x/closewait-agent-0.1.0.jar status 1"})
    void staysOutOfItsOwnCommandLine(String command) {
        assertTrue(ClosewaitAgent.isOwnCommandLine(command));
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.jar", "/srv/closewait-demo.jar 3 40", "com.acme.Main closewait-agent.jar", " "})
    void startsInOtherPrograms(String command) {
        assertFalse(ClosewaitAgent.isOwnCommandLine(command));
    }
}
