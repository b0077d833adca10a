import { afterEach, describe, expect, it } from "vitest";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { textOf } from "../support/notion-page.js";
import { framerSignature } from "../support/sign-form-service.js";
import { framerPayload } from "../form-services/fixtures.js";
import {
  activitiesFor,
  contactsFor,
  NO_LIMITS,
  postJson,
  queueRows,
  SERVICE_SECRETS,
} from "../form-services/form-service-kit.js";

const FRAMER = SERVICE_SECRETS.FRAMER_SECRET;
const sendFramer = (h: CrmHarness, body: string, id: string) =>
  postJson(h, "/lead/framer", body, {
    "Framer-Signature": framerSignature(body, id, FRAMER),
    "Framer-Webhook-Submission-Id": id,
  });
const notionPageWrites = (h: CrmHarness) => h.crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ });

describe("spam", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h?.stop();
  });

  describe("the honeypot", () => {
    it("stores a form lead that fills it as spam, answers 200 like a written lead, and never calls Notion", async () => {
      h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS, HONEYPOT_FIELD: "website" } });
      const body = framerPayload({ email: "bot@spam.example" }, { website: "http://cheap.example" });
      const response = await sendFramer(h, body, "hp-1");
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: "created", id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      // Spam is counted, never kept: its row holds the delivery's key (a redelivery is answered alike), not the address.
      expect(queueRows(h)).toEqual([{ email: "", state: "spam", idempotency_key: "framer:hp-1" }]);
      const again = await sendFramer(h, body, "hp-1");
      expect(again.body).toEqual(response.body);
      expect(notionPageWrites(h)).toBe(0);
      expect(h.log.lines()).toContainEqual(expect.objectContaining({ msg: expect.stringContaining("stored as spam") }));
    });

    it("lets a lead through when the honeypot field is present but empty", async () => {
      h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS, HONEYPOT_FIELD: "website" } });
      expect((await sendFramer(h, framerPayload({ email: "human@example.com" }, { website: "" }), "hp-2")).status).toBe(
        200,
      );
      expect(contactsFor(h, "human@example.com")).toHaveLength(1);
    });

    it("matches the field's exact name: a form's own `gotcha` field is not the `_gotcha` honeypot", async () => {
      h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS, HONEYPOT_FIELD: "_gotcha" } });
      const person = framerPayload({ email: "gotcha-fan@example.com" }, { gotcha: "my answer to a question" });
      expect((await sendFramer(h, person, "hp-3")).status).toBe(200);
      expect(queueRows(h)).toEqual([expect.objectContaining({ email: "gotcha-fan@example.com", state: "done" })]);
      const bot = framerPayload({ email: "bot@spam.example" }, { _gotcha: "x" });
      expect((await sendFramer(h, bot, "hp-4")).status).toBe(200);
      // Spam is only counted: its row keeps no address.
      expect(queueRows(h)[1]).toMatchObject({ email: "", state: "spam" });
    });

    it("also guards /lead when configured, and changes nothing for /lead bodies without the field", async () => {
      h = await startCrmHarness({ env: { HONEYPOT_FIELD: "website" } });
      const caught = await h.postLead({ email: "bot@spam.example", website: "http://cheap.example" });
      expect(caught.status).toBe(200);
      expect(caught.body.status).toBe("created");
      expect(notionPageWrites(h)).toBe(0);
      const human = await h.postLead({ email: "ann@example.com", name: "Ann" });
      expect(human.body).toEqual({ status: "created", id: contactsFor(h, "ann@example.com")[0]!.id });
    });

    it("is off while HONEYPOT_FIELD is unset: the same body is an ordinary lead", async () => {
      h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
      await sendFramer(h, framerPayload({ email: "maybe@example.com" }, { website: "http://x.example" }), "hp-3");
      expect(contactsFor(h, "maybe@example.com")).toHaveLength(1);
    });
  });

  describe("per-sender limits", () => {
    it("refuses an IP over its hourly limit with 429 and Retry-After, storing nothing", async () => {
      h = await startCrmHarness({
        env: { ...SERVICE_SECRETS, LEADS_PER_IP_PER_HOUR: "2", LEADS_PER_EMAIL_PER_HOUR: "0" },
      });
      expect((await sendFramer(h, framerPayload({ email: "one@example.com" }), "ip-1")).status).toBe(200);
      expect((await sendFramer(h, framerPayload({ email: "two@example.com" }), "ip-2")).status).toBe(200);
      const refused = await sendFramer(h, framerPayload({ email: "three@example.com" }), "ip-3");
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.get("Retry-After"));
      expect(retryAfter).toBeGreaterThan(3_500);
      expect(retryAfter).toBeLessThanOrEqual(3_600);
      expect(refused.body).toEqual({
        error: expect.stringContaining("too many submissions"),
        retryAfterSeconds: retryAfter,
      });
      expect(queueRows(h).map((row) => row.email)).toEqual(["one@example.com", "two@example.com"]);
      expect(h.log.lines()).toContainEqual(
        expect.objectContaining({ msg: "lead refused: sender over its hourly limit", limitedBy: "ip" }),
      );
    });

    it("refuses an email over its hourly limit, whatever the submission id", async () => {
      h = await startCrmHarness({
        env: { ...SERVICE_SECRETS, LEADS_PER_IP_PER_HOUR: "0", LEADS_PER_EMAIL_PER_HOUR: "1" },
      });
      expect((await sendFramer(h, framerPayload({ email: "same@example.com" }), "em-1")).status).toBe(200);
      const refused = await sendFramer(h, framerPayload({ email: "SAME@example.com" }), "em-2");
      expect(refused.status).toBe(429);
      expect(Number(refused.get("Retry-After"))).toBeGreaterThan(0);
      expect((await sendFramer(h, framerPayload({ email: "other@example.com" }), "em-3")).status).toBe(200);
    });

    it("answers a redelivery like the first without counting it", async () => {
      h = await startCrmHarness({
        env: { ...SERVICE_SECRETS, LEADS_PER_IP_PER_HOUR: "1", LEADS_PER_EMAIL_PER_HOUR: "1" },
      });
      const body = framerPayload({ email: "retry@example.com" });
      const first = await sendFramer(h, body, "rd-1");
      const again = await sendFramer(h, body, "rd-1");
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    });

    it("still holds after a restart", async () => {
      h = await startCrmHarness({
        env: { ...SERVICE_SECRETS, LEADS_PER_IP_PER_HOUR: "1", LEADS_PER_EMAIL_PER_HOUR: "0" },
      });
      expect((await sendFramer(h, framerPayload({ email: "before@example.com" }), "rs-1")).status).toBe(200);
      await h.restart();
      expect((await sendFramer(h, framerPayload({ email: "after@example.com" }), "rs-2")).status).toBe(429);
    });

    it("never limits /lead, whose only sender is the site's own backend", async () => {
      h = await startCrmHarness({ env: { LEADS_PER_IP_PER_HOUR: "1", LEADS_PER_EMAIL_PER_HOUR: "1" } });
      const responses = [
        await h.postLead({ email: "a@example.com" }),
        await h.postLead({ email: "a@example.com" }),
        await h.postLead({ email: "b@example.com" }),
      ];
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    });
  });

  describe("suspicious leads", () => {
    it("go to Notion, flagged on their activity; the contact keeps the contract's fields", async () => {
      h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
      const response = await sendFramer(
        h,
        framerPayload({ email: "odd@example.com" }, { Name: "<https://cheap.example|WIN> *now*" }),
        "sus-1",
      );
      expect(response.status).toBe(200);
      const [contact] = contactsFor(h, "odd@example.com");
      expect(textOf(contact!, "Name")).toBe("<https://cheap.example|WIN> *now*");
      expect(textOf(contact!, "Notes")).toBe("Hi there");
      const notes = textOf(activitiesFor(h, contact!.id)[0]!, "Notes");
      expect(notes).toMatch(/^⚠ Flagged as possible spam: a link in the name; Slack formatting in the name\./);
      expect(notes).toContain("Hi there");
    });

    it("are flagged on /lead too, while ordinary /lead activities keep the message alone", async () => {
      h = await startCrmHarness();
      await h.postLead({ email: "odd@example.com", name: "Visit www.cheap.example", message: "Hello" });
      await h.postLead({ email: "ann@example.com", name: "Ann", message: "Hello" });
      const notesOf = (email: string) => textOf(activitiesFor(h, contactsFor(h, email)[0]!.id)[0]!, "Notes");
      expect(notesOf("odd@example.com")).toBe(
        "⚠ Flagged as possible spam: a link in the name. Check before replying.\n\nHello",
      );
      expect(notesOf("ann@example.com")).toBe("Hello");
    });
  });
});
