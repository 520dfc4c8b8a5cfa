package mproc.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import mproc.cli.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CliTest {
    @Command(name = "demo", mixinStandardHelpOptions = true)
    static class Demo implements Callable<Integer> {
        @Option(names = "--count", defaultValue = "5", converter = Cli.CountConverter.class)
        long count;

        @Override
        public Integer call() {
            if (count == 13) throw new IllegalStateException("unlucky count");
            return 0;
        }
    }

    @Test
    void countConverterExplainsBadValues() {
        var c = new Cli.CountConverter();
        assertEquals(12L, c.convert(" 12 "));
        assertEquals("'abc' is not a whole number", assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("abc")).getMessage());
        assertEquals("count must be between 0 and 1000000000 multiplies, got -1",
                assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("-1")).getMessage());
    }

    @Test
    void exitCodes() {
        assertEquals(0, Cli.execute(new Demo()));
        assertEquals(2, Cli.execute(new Demo(), "--count", "-1"));
        assertEquals(2, Cli.execute(new Demo(), "--nope"));
        assertEquals(1, Cli.execute(new Demo(), "--count", "13"));
    }

    @Test
    void aFailureIsOneLineWithoutStackTrace() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Demo());
        cl.setErr(new PrintWriter(err));
        // same handler as Cli.execute, exercised on a captured stream
        int code = Cli.execute(new Demo(), "--count", "13");
        assertEquals(1, code);
        var old = System.err;
        var buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf, true));
        try {
            Cli.execute(new Demo(), "--count", "13");
        } finally {
            System.setErr(old);
        }
        String out = buf.toString().strip();
        assertEquals("error: unlucky count", out.replaceAll("\u001B\\[[;\\d]*m", ""));
    }
}
