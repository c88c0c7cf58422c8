package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassLoaderCandidatesTest {

    private final ClassLoaderCandidates candidates = new ClassLoaderCandidates();

    private static ClassLoader loader() {
        return new ClassLoader(null) {
        };
    }

    @Test
    void remembersEachLoaderOnceInTheOrderSeen() {
        ClassLoader first = loader();
        ClassLoader second = loader();

        candidates.note(first);
        candidates.note(first);
        candidates.note(second);
        candidates.note(first);
        candidates.note(second);

        assertEquals(List.of(first, second), candidates.candidates());
    }

    @Test
    void ignoresTheBootstrapLoader() {
        candidates.note(null);

        assertEquals(List.of(), candidates.candidates());
    }

    @Test
    void remembersAtMostEightLoaders() {
        List<ClassLoader> loaders = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            loaders.add(loader());
            candidates.note(loaders.get(i));
        }

        assertEquals(loaders.subList(0, 8), candidates.candidates());
    }
}
