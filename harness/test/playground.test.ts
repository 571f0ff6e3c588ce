// The browser playground (make playground → playground/build/) in a real browser: Debian's
// headless Chromium driven by playwright-core (no browser download), the page served by a
// static file server on 127.0.0.1. Checks a denial and an acceptance, and that typing in the
// request re-decides; screenshots go to playground/build/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO_ROOT } from "./helpers.js";

const SITE = path.join(REPO_ROOT, "playground", "build");
const SCREENSHOTS = path.join(SITE, "screenshots");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!CHROMIUM) console.warn("playground test skipped: no Chromium at /usr/bin/chromium (make test installs Debian's `chromium` when it runs as root with apt-get)");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** A static file server for SITE (GET only, no directory listings, nothing outside SITE). */
function serveSite(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const file = path.join(SITE, decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname));
    if (req.method !== "GET" || !file.startsWith(SITE + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

describe.skipIf(!CHROMIUM)("the playground in headless Chromium", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(path.join(SITE, "index.html")), "run `make playground` first").toBe(true);
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await serveSite();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  const decision = () => page.locator("#decision");

  it("trusted-registries: denies untrusted images, accepts trusted ones, re-decides as the request is edited", async () => {
    await page.goto(`${base}/index.html?policy=trusted-registries`);
    await expect.poll(() => page.locator("#status").textContent()).toBe("trusted-registries ready");

    await page.selectOption("#request-fixture", "pod-untrusted-images.json");
    await expect.poll(() => decision().textContent()).toBe("Rejected");
    expect(await page.locator("#message").textContent()).toContain("which is not in allowedRegistries");
    expect(await page.locator("#code").textContent()).toBe("400");
    await page.screenshot({ path: path.join(SCREENSHOTS, "trusted-registries-denied.png"), fullPage: true });

    await page.selectOption("#request-fixture", "pod-trusted.json");
    await expect.poll(() => decision().textContent()).toBe("Accepted");
    expect(await page.locator("#message").textContent()).toBe("–");
    await page.screenshot({ path: path.join(SCREENSHOTS, "trusted-registries-accepted.png"), fullPage: true });

    // Typing: swap the trusted image for one from docker.io; the decision follows the text.
    const request = JSON.parse(await page.locator("#request").inputValue());
    request.object.spec.containers[0].image = "docker.io/library/nginx:1.27";
    await page.fill("#request", JSON.stringify(request, null, 2));
    await expect.poll(() => decision().textContent()).toBe("Rejected");
    expect(await page.locator("#message").textContent()).toContain("docker.io");

    // Broken JSON is a rejection with the reason, not a crash.
    await page.fill("#request", "{ not json");
    await expect.poll(() => page.locator("#message").textContent()).toContain("the request is not valid JSON");
    expect(await page.locator("#status").getAttribute("class")).toBe("error");
  });

  it("identity-assurance: audit annotations and warnings show; a denial and an acceptance", async () => {
    await page.goto(`${base}/index.html?policy=identity-assurance`);
    await expect.poll(() => page.locator("#status").textContent()).toBe("identity-assurance ready");
    await page.selectOption("#settings-fixture", "settings-recommended.yaml");

    await page.selectOption("#request-fixture", "exec-prod-bob-no-claims.json");
    await expect.poll(() => decision().textContent()).toBe("Rejected");
    expect(await page.locator("#message").textContent()).toContain("prod-exec");
    expect(await page.locator("#annotations").textContent()).toContain("idgov-decision");

    await page.selectOption("#request-fixture", "exec-prod-alice-verified-claims.json");
    await expect.poll(() => decision().textContent()).toBe("Accepted");
    expect(await page.locator("#annotations").textContent()).toContain("allowed");
    await page.screenshot({ path: path.join(SCREENSHOTS, "identity-assurance-accepted.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
