package dev.closewait.agent;

import dev.closewait.bootstrap.JdkFields;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens the java.base packages whose socket internals the agent reads to the agent's own module only: the unnamed
 * module of the class loader the agent runs in ({@code AgentClassLoader}), which nothing but the agent's own classes
 * live in. Not to the application class path's unnamed module, nor to the bootstrap loader's: opening JDK packages
 * there would change what the application's reflection can do (libraries probe such access and take other code
 * paths), and would hand every class on that path deep access to the JDK.
 */
final class ModuleAccess {

    private static final String[] PACKAGES = {"java.net", "java.io", "sun.nio.ch", "sun.security.ssl"};
    /** A class of the package the hooks are defined in ({@code sun.nio.ch}): always there, and not instrumented. */
    private static final String HOOKS_PACKAGE_MEMBER = "sun.nio.ch.Interruptible";

    private ModuleAccess() {
    }

    static void openJavaBase(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Set<Module> agent = Set.of(JdkFields.module());
        Map<String, Set<Module>> opens = new HashMap<>();
        for (String pkg : PACKAGES) {
            opens.put(pkg, agent);
        }
        instrumentation.redefineModule(javaBase, Set.of(), Map.of(), opens, Set.of(), Map.of());
    }

    /** A lookup with package access in {@code sun.nio.ch}, where the hooks class is defined; after {@link #openJavaBase}. */
    static MethodHandles.Lookup hooksPackage() throws ReflectiveOperationException {
        Class<?> member = Class.forName(HOOKS_PACKAGE_MEMBER, false, null);
        return MethodHandles.privateLookupIn(member, MethodHandles.lookup());
    }
}
