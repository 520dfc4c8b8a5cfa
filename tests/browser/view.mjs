// The reader's view: opens executed notebooks in a running Jupyter Notebook server with headless Chromium,
// reports what a reader sees (images rendered, tables, error outputs) as one JSON line, and saves a
// screenshot of each notebook scrolled to its first chart.
// usage: node view.mjs <base-url> <token> <screenshot-dir> <notebook.ipynb>...
import { chromium } from "playwright-core";

const [base, token, outDir, ...names] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const results = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  for (const name of names) {
    await page.goto(`${base}/notebooks/${encodeURIComponent(name)}?token=${token}`, { waitUntil: "load" });
    await page.waitForSelector("#notebook-container .cell", { timeout: 60000 });
    // the outputs are in the page; wait until every image has loaded (or failed to)
    await page.waitForFunction(() => [...document.querySelectorAll(".output_png img")].every(i => i.complete),
                               null, { timeout: 30000 });
    // the Java kernel starts for the notebook, as for a reader; the screenshot waits until it is idle
    let kernel = "idle";
    try {
      await page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { timeout: 90000 });
      await page.waitForFunction(() => !document.querySelector("#MathJax_Message")?.offsetParent, null, { timeout: 20000 });
    } catch (e) {
      kernel = (await page.getAttribute("#kernel_indicator_icon", "class")) ?? "missing";
    }
    const seen = await page.evaluate(() => {
      const imgs = [...document.querySelectorAll(".output_png img")];
      return {
        cells: document.querySelectorAll("#notebook-container .cell").length,
        images: imgs.length,
        rendered: imgs.filter(i => i.naturalWidth > 100 && i.naturalHeight > 100).length,
        tables: document.querySelectorAll(".output_html table").length,
        errors: document.querySelectorAll(".output_error").length,
        title: document.querySelector("#notebook-container .text_cell_render h1")?.textContent ?? "",
      };
    });
    const first = page.locator(".output_png img").first();
    if (seen.images > 0) {
      await first.scrollIntoViewIfNeeded();
      await page.evaluate(() => document.querySelector("#site")?.scrollBy(0, -300));
    }
    const shot = `${outDir}/${name.replace(/\.ipynb$/, "")}.png`;
    await page.screenshot({ path: shot });
    results.push({ name, ...seen, kernel, screenshot: shot });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
