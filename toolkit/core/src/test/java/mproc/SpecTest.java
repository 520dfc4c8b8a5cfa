package mproc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The spec a worker reads on its stdin: whatever the parent sends comes back exactly, and ends at its end line. */
class SpecTest {

    @Test
    void everyKindOfTextComesBackAsItWas() throws Exception {
        Properties p = new Properties();
        p.setProperty("class", "mproc.Worker");
        p.setProperty("name", " two  spaces, then = : # ! and \\ end\\");
        p.setProperty("args.0", "line one\nline two\r\nthree\ttab\fform");
        p.setProperty("args.1", "#mproc-spec-end");
        p.setProperty("args.2", "ünïcødé ✓ 𝄞");
        p.setProperty("args.3", "");
        p.setProperty(" odd key=: #!", "v");
        p.setProperty("#mproc-spec-end", "as a key");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Spec.send(p, out, false);
        String text = out.toString(StandardCharsets.UTF_8);
        assertFalse(text.startsWith("#"), "no comment line (no date): " + text);
        BufferedReader in = new BufferedReader(new StringReader(text + "after the spec\n"));
        assertEquals(p, Spec.read(in));
        assertEquals("after the spec", in.readLine(), "the reader stops at the end line");
        assertNull(in.readLine());
    }
}
