package dev.closewait.agent;

import dev.closewait.bootstrap.JdkFields;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Opens the java.base packages whose socket internals the agent reads to the bootstrap bridge's module only. Not to
 * the agent's own module: that is the application class path's unnamed module, and opening JDK packages there would
 * change what the application's reflection can do (libraries probe such access and take other code paths).
 */
final class ModuleAccess {

    private static final String[] PACKAGES = {"java.net", "java.io", "sun.nio.ch", "sun.security.ssl"};

    private ModuleAccess() {
    }

    static void openJavaBase(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Set<Module> agent = Set.of(JdkFields.module());
        Map<String, Set<Module>> opens = new java.util.HashMap<>();
        for (String pkg : PACKAGES) {
            opens.put(pkg, agent);
        }
        instrumentation.redefineModule(javaBase, Set.of(), Map.of(), opens, Set.of(), Map.of());
    }
}
