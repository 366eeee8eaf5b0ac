// Loads a page in Debian's headless Chromium and reports what happened, as JSON on stdout.
// Used by tests/docs and tests/report through tests/docs/browser.py; assertions live in Python.
//
//   node page_check.mjs spec.json
//
// spec: {
//   "url": "http://127.0.0.1:8080/" or "file:///…/report.html",
//   "allow": ["http://127.0.0.1:8080/"],   // URL prefixes that may load (file:, data:, blob:
//                                           // and about: always may); any other request is
//                                           // aborted and listed under blocked_requests
//   "viewport": {"width": 1400, "height": 900},
//   "steps": [                               // run in order after the first load
//     {"goto": "…"}, {"click": "css or text=…"}, {"wait_for": "selector"},
//     {"wait_for_function": "js expression"}, {"sleep": 500},
//     {"probe": "name", "js": "js expression"},   // result under probes.name
//     {"screenshot": "/abs/path.png", "full_page": true}
//   ]
// }
// Output: {console, page_errors, failed_requests, blocked_requests, probes, error}.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const result = {
  console: [],
  page_errors: [],
  failed_requests: [],
  blocked_requests: [],
  probes: {},
  error: null,
};
const alwaysAllowed = ["file:", "data:", "blob:", "about:"];
const allowed = (url) =>
  alwaysAllowed.some((p) => url.startsWith(p)) || (spec.allow || []).some((p) => url.startsWith(p));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const context = await browser.newContext({ viewport: spec.viewport || { width: 1400, height: 900 } });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    result.blocked_requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (message) => result.console.push({ type: message.type(), text: message.text() }));
  page.on("pageerror", (error) => result.page_errors.push(String(error)));
  page.on("requestfailed", (request) =>
    result.failed_requests.push({ url: request.url(), error: request.failure()?.errorText ?? "" }),
  );
  const timeout = spec.timeout_ms || 20000;
  page.setDefaultTimeout(timeout);
  await page.goto(spec.url, { waitUntil: "load" });
  for (const step of spec.steps || []) {
    if ("goto" in step) await page.goto(step.goto, { waitUntil: "load" });
    else if ("click" in step) await page.click(step.click);
    else if ("wait_for" in step) await page.waitForSelector(step.wait_for, { state: step.state || "visible" });
    else if ("wait_for_function" in step) await page.waitForFunction(step.wait_for_function);
    else if ("sleep" in step) await page.waitForTimeout(step.sleep);
    else if ("probe" in step) result.probes[step.probe] = await page.evaluate(step.js);
    else if ("screenshot" in step) await page.screenshot({ path: step.screenshot, fullPage: !!step.full_page });
    else throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
} catch (error) {
  result.error = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
