package mproc.cli;

import mproc.tutorial.Matrix;
import picocli.CommandLine;

/** What every chapter script shares on the command line: validation, exit codes, no stack traces. */
public final class Cli {
    /** The project's version (the parent pom's; a test keeps the two in step). */
    public static final String VERSION = "1.0.0";

    private Cli() {}

    /** {@code --version} of every chapter script: the script's name, the project's version, the JVM's. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"${COMMAND-NAME} " + VERSION + " (Process-Based Parallelism in Java; mproc " + VERSION
                    + "; Java ${java.version})"};
        }
    }

    /**
     * Runs a picocli command. Bad options or values: picocli's one-line reason and the usage, exit 2.
     * A failure while running: one line on stderr, exit 1 (no stack trace; {@code -Dmproc.trace=true} shows it).
     */
    public static int execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        // picocli shows only "Possible solutions" for an unknown option that looks like a known one; give the usage too
        cl.setParameterExceptionHandler((ex, given) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getColorScheme().errorText(ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.usage(c.getErr(), c.getColorScheme());
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            if (Boolean.getBoolean("mproc.trace")) ex.printStackTrace();
            line.getErr().println(line.getColorScheme().errorText("error: " + message(ex)));
            return 1;
        });
        return cl.execute(args);
    }

    /**
     * Rejects an option value outside {@code min..max} like picocli rejects a bad value: a one-line reason,
     * the usage, exit code 2.
     */
    public static void checkRange(Object command, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(new CommandLine(command),
                    option + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static String message(Throwable t) {
        if (t instanceof InterruptedException) return "interrupted";
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** {@code --count}: multiplies per unit of work, validated by {@link Matrix#checkCount}. */
    public static final class CountConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v;
            try {
                v = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
            }
            try {
                return Matrix.checkCount(v);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
