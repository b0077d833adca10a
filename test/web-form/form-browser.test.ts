import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { textOf } from "../support/notion-page.js";
import {
  startTurnstileFake,
  TURNSTILE_DUMMY_TOKEN,
  TURNSTILE_PASSING_SECRET,
  type TurnstileFake,
} from "../support/turnstile-fake.js";
import { contactsFor } from "../form-services/form-service-kit.js";

// The pages are the snippets of docs/website-forms.md as a reader would paste
// them, with only the server's address filled in.
const DOCS = readFileSync(new URL("../../docs/website-forms.md", import.meta.url), "utf8");
const SNIPPETS = [...DOCS.matchAll(/```html\n([\s\S]*?)```/g)].map((match) => match[1]!);
const FORM_PAGE = SNIPPETS.find((html) => html.includes("<form action="))!;
const FETCH_PAGE = SNIPPETS.find((html) => html.includes("fetch("))!;

// Stands in for Cloudflare's api.js: the widget with a test site key puts
// the dummy token in a hidden cf-turnstile-response field of the form.
const FAKE_TURNSTILE_SCRIPT = `for (const widget of document.querySelectorAll(".cf-turnstile")) {
  const input = document.createElement("input");
  input.type = "hidden"; input.name = "cf-turnstile-response"; input.value = ${JSON.stringify(TURNSTILE_DUMMY_TOKEN)};
  widget.append(input);
}`;

describe("POST /form in a real browser", () => {
  let h: CrmHarness;
  let cloudflare: TurnstileFake;
  let site: StaticSite;
  let foreignSite: StaticSite;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    site = await serveStatic();
    foreignSite = await serveStatic();
    cloudflare = await startTurnstileFake();
    h = await startCrmHarness({
      env: {
        FORM_ALLOWED_ORIGINS: site.origin,
        TURNSTILE_SECRET: TURNSTILE_PASSING_SECRET,
        TURNSTILE_VERIFY_URL: cloudflare.url,
      },
    });
    for (const s of [site, foreignSite]) {
      s.pages.set("/contact.html", FORM_PAGE.replaceAll("https://crm.example.com", h.server.url));
      s.pages.set("/fetch.html", FETCH_PAGE.replaceAll("https://crm.example.com", h.server.url));
    }
    browser = await launchChromium();
    context = await browser.newContext();
    // Nothing leaves the machine: Cloudflare's script is the stand-in, anything else off-loopback is refused.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) =>
      route.request().url().startsWith("https://challenges.cloudflare.com/turnstile/v0/api.js")
        ? route.fulfill({ contentType: "text/javascript", body: FAKE_TURNSTILE_SCRIPT })
        : route.abort(),
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await cloudflare?.stop();
    await site?.stop();
    await foreignSite?.stop();
  });

  it("a person fills the form, presses Send and lands on the thank-you page; the contact is in Notion", async () => {
    const page = await context.newPage();
    await page.goto(`${site.origin}/contact.html`);
    await page.waitForSelector("input[name=cf-turnstile-response]", { state: "attached" });
    await page.fill("input[name=name]", "Zoë Ångström");
    await page.fill("input[name=email]", "zoe@example.com");
    await page.fill("textarea[name=message]", "Grüße from the browser");
    await Promise.all([page.waitForURL(`${h.server.url}/form`), page.click("button[type=submit]")]);
    expect(await page.textContent("h1")).toBe("Thank you");

    await eventually(() => expect(contactsFor(h, "zoe@example.com")).toHaveLength(1));
    const contact = contactsFor(h, "zoe@example.com")[0]!;
    expect(textOf(contact, "Name")).toBe("Zoë Ångström");
    expect(textOf(contact, "Notes")).toBe("Grüße from the browser");
    expect(cloudflare.requests).toContainEqual(expect.objectContaining({ response: TURNSTILE_DUMMY_TOKEN }));
    await page.close();
  });

  it("a page's fetch() reads the JSON answer through CORS; a page of another origin cannot", async () => {
    const page = await context.newPage();
    await page.goto(`${site.origin}/fetch.html`);
    await page.waitForSelector("input[name=cf-turnstile-response]", { state: "attached" });
    await page.fill("input[name=name]", "Script Person");
    await page.fill("input[name=email]", "script@example.com");
    await page.click("button[type=submit]");
    await page.waitForSelector("#contact-status:not(:empty)");
    expect(await page.textContent("#contact-status")).toBe("Thank you! We will be in touch soon.");
    await eventually(() => expect(contactsFor(h, "script@example.com")).toHaveLength(1));

    const foreign = await context.newPage();
    await foreign.goto(`${foreignSite.origin}/fetch.html`);
    await foreign.fill("input[name=email]", "foreign@example.com");
    await foreign.click("button[type=submit]");
    await foreign.waitForSelector("#contact-status:not(:empty)");
    // The page may not read the answer (no Access-Control-Allow-Origin), so the docs' example lands in its catch, as website-forms.md says.
    expect(await foreign.textContent("#contact-status")).toBe(
      "Not sent: the form could not reach us. Please try again later.",
    );
    expect(contactsFor(h, "foreign@example.com")).toHaveLength(0);
    await Promise.all([page.close(), foreign.close()]);
  });
});

type StaticSite = { origin: string; pages: Map<string, string>; stop(): Promise<void> };

/** The "static website": another loopback port, so the form posts cross-origin as on a real site. */
async function serveStatic(): Promise<StaticSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const html = pages.get(req.url ?? "");
    if (html === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    pages,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
