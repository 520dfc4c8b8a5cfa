package mproc.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tech.tablesaw.api.Table;

/** Writing a chapter's outputs: tables as CSV next to the charts. */
public final class Reports {
    private Reports() {}

    /** Writes {@code table} as {@code dir/fileName} (CSV) and returns the path. */
    public static Path csv(Table table, Path dir, String fileName) {
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve(fileName);
            table.write().csv(f.toFile());
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(fileName) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot write " + dir.resolve(fileName) + ": " + e.getMessage(), e);
        }
    }
}
