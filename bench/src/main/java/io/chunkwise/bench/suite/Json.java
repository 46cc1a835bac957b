package io.chunkwise.bench.suite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for what the peer script prints: objects become {@link Map}s (in order), arrays {@link List}s,
 * numbers {@link Double}s, and {@code true}/{@code false}/{@code null} themselves. Malformed text throws
 * {@link IllegalArgumentException} naming the position.
 */
final class Json {
    private final String s;
    private int at;

    private Json(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        Json p = new Json(text);
        p.space();
        Object v = p.value();
        p.space();
        if (p.at != p.s.length()) throw p.error("text after the value");
        return v;
    }

    /** The object at the top of {@code text}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) {
        if (parse(text) instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException("expected a JSON object: " + abbreviate(text));
    }

    /** A flat object of strings and numbers on one line (the peer server's requests). */
    static String write(Map<String, ?> m) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : m.entrySet()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append(ResultFiles.jsonString(e.getKey())).append(": ");
            Object v = e.getValue();
            if (v == null) sb.append("null");
            else if (v instanceof Number || v instanceof Boolean) sb.append(v);
            else sb.append(ResultFiles.jsonString(v.toString()));
        }
        return sb.append('}').toString();
    }

    static String abbreviate(String text) {
        String t = text.strip();
        return t.length() <= 300 ? t : t.substring(0, 300) + "...";
    }

    private Object value() {
        if (at >= s.length()) throw error("a value is missing");
        char c = s.charAt(at);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        at++;
        space();
        if (peek('}')) return m;
        while (true) {
            space();
            if (at >= s.length() || s.charAt(at) != '"') throw error("expected a key");
            String key = string();
            space();
            expect(':');
            space();
            m.put(key, value());
            space();
            if (peek('}')) return m;
            expect(',');
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        at++;
        space();
        if (peek(']')) return l;
        while (true) {
            space();
            l.add(value());
            space();
            if (peek(']')) return l;
            expect(',');
        }
    }

    private String string() {
        StringBuilder sb = new StringBuilder();
        at++;
        while (at < s.length()) {
            char c = s.charAt(at++);
            if (c == '"') return sb.toString();
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (at >= s.length()) break;
            char e = s.charAt(at++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    if (at + 4 > s.length()) throw error("a short \\u escape");
                    sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> sb.append(e); // \" \\ \/
            }
        }
        throw error("an unterminated string");
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, at)) throw error("expected " + word);
        at += word.length();
        return v;
    }

    private Double number() {
        int start = at;
        while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) at++;
        String t = s.substring(start, at);
        // Python's json writes these for non-finite floats
        for (String special : new String[]{"NaN", "Infinity", "-Infinity"}) {
            if (t.isEmpty() || t.equals("-")) {
                if (s.startsWith(special, start)) {
                    at = start + special.length();
                    return Double.parseDouble(special);
                }
            }
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw error("expected a value");
        }
    }

    private boolean peek(char c) {
        if (at < s.length() && s.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) throw error("expected '" + c + "'");
    }

    private void space() {
        while (at < s.length() && Character.isWhitespace(s.charAt(at))) at++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed JSON at character " + at + " (" + what + "): " + abbreviate(s));
    }
}
