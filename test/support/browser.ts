import chromium from "@sparticuz/chromium";
import { chromium as playwright, type Browser } from "playwright-core";

// Sparticuz's flags are for Lambda; this one would switch CORS off, and the
// browser test is there to show CORS working.
const WITHOUT = new Set(["--disable-web-security"]);

/**
 * A real headless Chromium: CHROMIUM_PATH when set, else the binary shipped in
 * @sparticuz/chromium (unpacked to the temp dir on first launch), so
 * `npm ci && npm test` needs no browser download.
 */
export async function launchChromium(): Promise<Browser> {
  return playwright.launch({
    executablePath: process.env.CHROMIUM_PATH || (await chromium.executablePath()),
    args: chromium.args.filter((arg) => !WITHOUT.has(arg)),
    headless: true,
  });
}
