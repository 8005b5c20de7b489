package io.github.junitkvm.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a C baseline printed: {@code key=value} lines (see {@code src/main/c/bench.h}).
 *
 * @param values the values by key, in the order printed
 */
public record BaselineOutput(Map<String, String> values) {
    /** Copies the map, keeping its order. */
    public BaselineOutput {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * @param text the program's standard output
     * @return its values; lines without {@code =} are ignored
     */
    public static BaselineOutput parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
            }
        }
        return new BaselineOutput(values);
    }

    /**
     * @param key a key the program prints
     * @return its value as a number
     * @throws IllegalStateException if it is missing or not a number
     */
    public long number(String key) {
        String value = text(key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the C baseline printed " + key + "=" + value + ", not a number", e);
        }
    }

    /**
     * @param key a key the program prints
     * @return its value
     * @throws IllegalStateException if it is missing
     */
    public String text(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("the C baseline printed no " + key + "= line; it printed " + values);
        }
        return value;
    }

    /** @return the serial output of the last run, decoded from its hex */
    public String serial() {
        String hex = text("serial");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i + 1 < hex.length(); i += 2) {
            text.append((char) Integer.parseInt(hex.substring(i, i + 2), 16));
        }
        return text.toString();
    }
}
