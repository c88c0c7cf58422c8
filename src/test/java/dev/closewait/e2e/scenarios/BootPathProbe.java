package dev.closewait.e2e.scenarios;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * The same probes as {@link ReflectionProbe}, made by a class the test puts on the bootstrap class path
 * ({@code -Xbootclasspath/a:}): code there must gain no deep reflection into the JDK with the agent either.
 */
public final class BootPathProbe {

    private BootPathProbe() {
    }

    /** "loader=boot" or "loader=app" (the test checks it really ran on the boot path), then one verdict per probe. */
    public static List<String> probe(List<String> fields) {
        List<String> results = new ArrayList<>();
        results.add("loader=" + (BootPathProbe.class.getClassLoader() == null ? "boot" : "app"));
        for (String probe : fields) {
            String[] parts = probe.split("#");
            try {
                Field field = Class.forName(parts[0]).getDeclaredField(parts[1]);
                field.setAccessible(true);
                results.add(probe + " allowed");
            } catch (ReflectiveOperationException | RuntimeException e) {
                results.add(probe + " denied");
            }
        }
        return results;
    }
}
