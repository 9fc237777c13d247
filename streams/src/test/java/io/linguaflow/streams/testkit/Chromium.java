package io.linguaflow.streams.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Headless chromium for checks of the dashboard's DOM after its scripts ran (tests skip loudly without one). */
public final class Chromium {

    private Chromium() {
    }

    /** chromium, chromium-browser or google-chrome on PATH, or null. */
    public static String find() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv("PATH").split(":")) {
                if (Files.isExecutable(Paths.get(dir, name))) {
                    return Paths.get(dir, name).toString();
                }
            }
        }
        return null;
    }

    /** A page as chromium left it: its DOM and chromium's log (console messages, Content-Security-Policy violations). */
    public record Page(String dom, String log) {
    }

    /** {@code url} after 20 s of the page's (virtual) time: its polling has drawn what the API serves. */
    public static Page load(String chromium, String url) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path log = profile.resolve("stderr.log");
        try {
            Process c = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--enable-logging=stderr", "--v=0", "--user-data-dir=" + profile.resolve("profile"), "--window-size=1366,2400",
                    "--virtual-time-budget=20000", "--dump-dom", url)
                    .redirectError(log.toFile()).start();
            String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!c.waitFor(2, TimeUnit.MINUTES)) {
                c.destroy();
                throw new IllegalStateException("chromium did not finish on " + url);
            }
            return new Page(out, Files.readString(log));
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The text from {@code <start} to the first {@code end} after it; fails naming what was missing. */
    public static String element(String dom, String start, String end) {
        int from = dom.indexOf("<" + start);
        if (from < 0) {
            throw new AssertionError("no <" + start + " in the DOM:\n" + dom);
        }
        int to = dom.indexOf(end, from);
        return dom.substring(from, to < 0 ? dom.length() : to + end.length());
    }

    /** {@code text} as the DOM serialises a text node. */
    public static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
