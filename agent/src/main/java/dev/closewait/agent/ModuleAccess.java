package dev.closewait.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/** Opens the java.base packages whose socket internals the agent reads (fields, not behaviour) to the agent alone. */
final class ModuleAccess {

    private static final String[] PACKAGES = {"java.net", "java.io", "sun.nio.ch", "sun.security.ssl"};

    private ModuleAccess() {
    }

    static void openJavaBase(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Set<Module> agent = Set.of(ModuleAccess.class.getModule());
        Map<String, Set<Module>> opens = new java.util.HashMap<>();
        for (String pkg : PACKAGES) {
            opens.put(pkg, agent);
        }
        instrumentation.redefineModule(javaBase, Set.of(), Map.of(), opens, Set.of(), Map.of());
    }
}
