package dev.closewait.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonObjectTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void escapesEveryControlCharacter() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        String line = new JsonObject().field("s", all.toString()).field("list", List.of(all.toString())).end();

        for (char c : line.toCharArray()) {
            assertTrue(c >= 0x20, "raw control character " + (int) c);
        }
        JsonNode json = JSON.readTree(line);
        assertEquals(all.toString(), json.get("s").asText());
        assertEquals(all.toString(), json.get("list").get(0).asText());
    }

    @Test
    void writesFieldsInOrderWithTheirJsonTypes() throws Exception {
        String line = new JsonObject()
                .field("text", "a\"b\\c")
                .field("none", (String) null)
                .field("number", -42L)
                .field("flag", false)
                .field("empty", List.of())
                .end();

        assertEquals("{\"text\":\"a\\\"b\\\\c\",\"none\":null,\"number\":-42,\"flag\":false,\"empty\":[]}", line);
        JsonNode json = JSON.readTree(line);
        assertEquals("a\"b\\c", json.get("text").asText());
        assertTrue(json.get("none").isNull());
        assertEquals(-42, json.get("number").asLong());
        assertTrue(json.get("flag").isBoolean());
        assertEquals(0, json.get("empty").size());
    }

    @Test
    void writesAnEmptyObject() {
        assertEquals("{}", new JsonObject().end());
    }
}
