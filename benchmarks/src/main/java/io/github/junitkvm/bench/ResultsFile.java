package io.github.junitkvm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine-readable results of one benchmark run: CSV, one {@link Measurement} per row, after
 * {@code #} lines describing the machine and the command. The chart and the tables are drawn from
 * these files alone.
 *
 * @param notes the description lines, without the leading {@code "# "}
 * @param measurements the rows
 */
public record ResultsFile(List<String> notes, List<Measurement> measurements) {
    /** The CSV header. */
    static final String HEADER = "environment,backend,series,unit,median,min,max,rounds,detail";

    /** Copies the lists. */
    public ResultsFile {
        notes = List.copyOf(notes);
        measurements = List.copyOf(measurements);
    }

    /** @return the file's text */
    public String format() {
        StringBuilder text = new StringBuilder();
        notes.forEach(note -> text.append("# ").append(note).append('\n'));
        text.append(HEADER).append('\n');
        for (Measurement m : measurements) {
            Stats s = m.stats();
            text.append(String.join(",", quote(m.environment()), quote(m.backend()), quote(m.series().id()),
                    quote(m.series().metric().unit()), number(s.median()), number(s.min()), number(s.max()),
                    Integer.toString(s.rounds()), quote(m.detail()))).append('\n');
        }
        return text.toString();
    }

    /**
     * @param file where to write
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(file, format(), StandardCharsets.UTF_8);
    }

    /**
     * @param file a file {@link #write} wrote
     * @return its content
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it is not such a file, naming the line
     */
    public static ResultsFile read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param text what {@link #format()} produced
     * @param source names the text in errors
     * @return the content
     * @throws IllegalArgumentException if a line is malformed, naming it
     */
    static ResultsFile parse(String text, String source) {
        List<String> notes = new ArrayList<>();
        List<Measurement> measurements = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("#")) {
                notes.add(line.substring(1).strip());
            } else if (!line.isBlank() && !line.equals(HEADER)) {
                try {
                    measurements.add(row(split(line)));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(source + ":" + (i + 1) + ": not a result row: " + line
                            + " (" + e.getMessage() + ")", e);
                }
            }
        }
        return new ResultsFile(notes, measurements);
    }

    private static Measurement row(List<String> fields) {
        if (fields.size() != 9) {
            throw new IllegalArgumentException(fields.size() + " fields, expected 9");
        }
        Stats stats = new Stats(Double.parseDouble(fields.get(4)), Double.parseDouble(fields.get(5)),
                Double.parseDouble(fields.get(6)), Integer.parseInt(fields.get(7)));
        return new Measurement(fields.get(0), fields.get(1), Series.byId(fields.get(2)), stats, fields.get(8));
    }

    /** Splits one CSV line; a field in double quotes may hold commas and doubled quotes. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("an unterminated quote");
        }
        fields.add(field.toString());
        return fields;
    }

    private static String quote(String field) {
        return field.contains(",") || field.contains("\"") ? "\"" + field.replace("\"", "\"\"") + "\"" : field;
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.4g", value);
    }
}
