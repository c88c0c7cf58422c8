package dev.closewait.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ThreadNamesTest {

    @Test
    void anUnnamedVirtualThreadIsItsIdWithoutItsStateOrCarrier() {
        assertEquals("VirtualThread[#24]", ThreadNames.unnamed("VirtualThread[#24]/runnable@ForkJoinPool-1-worker-2"));
        assertEquals("VirtualThread[#24]", ThreadNames.unnamed("VirtualThread[#24]/waiting"));
    }

    @Test
    void anyOtherDescriptionIsKeptWhole() {
        assertEquals("Thread[#31,,5,main]", ThreadNames.unnamed("Thread[#31,,5,main]"));
        assertEquals("VirtualThread[#7]", ThreadNames.unnamed("VirtualThread[#7]"));
    }

    @Test
    void aNamedThreadIsItsName() throws Exception {
        String[] seen = new String[1];
        Thread thread = new Thread(() -> seen[0] = ThreadNames.current(), "worker-\u0001");
        thread.start();
        thread.join();
        assertEquals("worker-\u0001", seen[0], "escaped where it is written, not here");
    }
}
