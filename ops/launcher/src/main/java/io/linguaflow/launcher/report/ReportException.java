package io.linguaflow.launcher.report;

/** A report that cannot be made as asked (no API at the URL, an unknown or unfinished checkpoint): the command exits 2. */
public final class ReportException extends Exception {

    public ReportException(String message) {
        super(message);
    }

    public ReportException(String message, Throwable cause) {
        super(message, cause);
    }
}
