import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { selectOf, textOf } from "../support/notion-page.js";
import { activitiesFor, contactsFor, queueRows } from "../form-services/form-service-kit.js";
import { browserPost, FORM_ENV, scriptPost, SITE } from "./form-kit.js";

describe("POST /form input edges", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h?.stop();
  });

  const written = async (email: string) => {
    await eventually(() => expect(contactsFor(h, email)).toHaveLength(1));
    const contact = contactsFor(h, email)[0]!;
    await eventually(() => expect(activitiesFor(h, contact.id)).toHaveLength(1));
    return { contact, notes: textOf(activitiesFor(h, contact.id)[0]!, "Notes") };
  };
  const sourcesUsed = () => {
    const source = h.crm.emulator.admin.listPages(h.crm.dataSources.contacts);
    return new Set(source.map((page) => selectOf(page, "Source")));
  };

  describe("utm_source from an unsigned post", () => {
    it("a plain slug becomes the Source; anything else leaves Source at website and goes to the activity", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      await browserPost(h, { email: "slug@example.com", utm_source: "newsletter_2026-12.v2" });
      await browserPost(h, { email: "junk@example.com", utm_source: "Buy cheap pills now!!! <a href=x>" });
      await browserPost(h, { email: "long@example.com", utm_source: "a".repeat(41) });

      expect(selectOf((await written("slug@example.com")).contact, "Source")).toBe("newsletter_2026-12.v2");
      const junk = await written("junk@example.com");
      expect(selectOf(junk.contact, "Source")).toBe("website");
      expect(junk.notes).toContain("utm_source (not used as Source): Buy cheap pills now!!! <a href=x>");
      expect(selectOf((await written("long@example.com")).contact, "Source")).toBe("website");
      expect(sourcesUsed()).toEqual(new Set(["newsletter_2026-12.v2", "website"]));
    });

    it("an existing option is used even when it is not a slug", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Source", {
        select: { options: [{ name: "website" }, { name: "Google Ads" }] },
      });
      await h.restart();
      await browserPost(h, { email: "ads@example.com", utm_source: "Google Ads" });
      expect(selectOf((await written("ads@example.com")).contact, "Source")).toBe("Google Ads");
    });

    it("adds no new option once Source has 50: the 50th slug is kept, the 51st goes to the notes", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      const options = [{ name: "website" }, ...Array.from({ length: 48 }, (_, i) => ({ name: `campaign-${i}` }))];
      h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Source", { select: { options } });
      await h.restart();
      await browserPost(h, { email: "fiftieth@example.com", utm_source: "fiftieth" });
      await browserPost(h, { email: "fifty-first@example.com", utm_source: "fifty-first" });
      await browserPost(h, { email: "known@example.com", utm_source: "campaign-7" });
      expect(selectOf((await written("fiftieth@example.com")).contact, "Source")).toBe("fiftieth");
      const over = await written("fifty-first@example.com");
      expect(selectOf(over.contact, "Source")).toBe("website");
      expect(over.notes).toContain("utm_source (not used as Source): fifty-first");
      expect(selectOf((await written("known@example.com")).contact, "Source")).toBe("campaign-7");
    });
  });

  describe("character sets", () => {
    it("decodes a Latin-1 page's post by its _charset_ field", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      // What a windows-1252 page sends for "Zoë Ångström" with <input type=hidden name=_charset_>.
      const response = await request(h.server.url)
        .post("/form")
        .set("Origin", SITE)
        .type("form")
        .send("_charset_=windows-1252&email=zoe%40example.com&name=Zo%EB+%C5ngstr%F6m&message=50+%80");
      expect(response.status).toBe(200);
      const { contact } = await written("zoe@example.com");
      expect(textOf(contact, "Name")).toBe("Zoë Ångström");
      expect(textOf(contact, "Notes")).toBe("50 €");
    });

    it("decodes by the Content-Type charset, urlencoded and multipart", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      const urlencoded = await request(h.server.url)
        .post("/form")
        .set("Origin", SITE)
        .set("Content-Type", "application/x-www-form-urlencoded; charset=ISO-8859-1")
        .send("email=iso%40example.com&name=Ren%E9e");
      expect(urlencoded.status).toBe(200);
      const boundary = "----form7MA4YWxkTrZu0gW";
      const part = (name: string, value: Buffer) =>
        Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
          value,
          Buffer.from("\r\n"),
        ]);
      const multipart = await request(h.server.url)
        .post("/form")
        .set("Origin", SITE)
        .set("Content-Type", `multipart/form-data; boundary=${boundary}`)
        .send(
          Buffer.concat([
            part("email", Buffer.from("multi@example.com")),
            part("name", Buffer.from("Fran\xe7ois", "latin1")),
            part("_charset_", Buffer.from("ISO-8859-1")),
            Buffer.from(`--${boundary}--\r\n`),
          ]),
        );
      expect(multipart.status).toBe(200);
      expect(textOf((await written("iso@example.com")).contact, "Name")).toBe("Renée");
      expect(textOf((await written("multi@example.com")).contact, "Name")).toBe("François");
    });

    it("400 naming the charset when the declared one is unknown", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      const response = await scriptPost(h, "email=x%40example.com", {
        "Content-Type": "application/x-www-form-urlencoded; charset=klingon",
        Accept: "application/json",
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain("klingon");
      expect(queueRows(h)).toEqual([]);
    });
  });

  describe("field counts", () => {
    const manyFields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, "x"]));

    it("a JSON body with more than 200 fields is refused like a form with as many", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      const json = await scriptPost(h, { ...manyFields(200), email: "json@example.com" });
      expect(json.status).toBe(400);
      expect(json.body.details).toEqual([{ field: "body", message: expect.stringContaining("too many fields") }]);
      const form = await browserPost(
        h,
        { ...manyFields(200), email: "form@example.com" },
        { Accept: "application/json" },
      );
      expect(form.status).toBe(400);
      expect(form.body.details).toEqual(json.body.details);
      expect((await scriptPost(h, { ...manyFields(199), email: "ok@example.com" })).status).toBe(202);
      expect(queueRows(h).map((row) => row.email)).toEqual(["ok@example.com"]);
    });

    it("a multipart body beyond 200 parts is answered 'too many fields', not 'email missing'", async () => {
      h = await startCrmHarness({ env: FORM_ENV });
      let post = request(h.server.url).post("/form").set("Origin", SITE).set("Accept", "application/json");
      for (let i = 0; i < 200; i++) post = post.field(`f${i}`, "x");
      const response = await post.field("email", "parts@example.com");
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: "body", message: expect.stringContaining("too many fields") }]);
      expect(queueRows(h)).toEqual([]);
    });
  });

  it("logs at most 200 characters of a refused Origin", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const origin = `https://${"a".repeat(5_000)}.example`;
    const response = await scriptPost(h, { email: "o@example.com" }, { Origin: origin });
    expect(response.status).toBe(403);
    const line = h.log.lines().find((entry) => entry.msg === "form refused: origin not allowed");
    expect(String(line?.origin).length).toBeLessThanOrEqual(201);
    expect(h.log.raw.join("\n")).not.toContain("a".repeat(300));
  });
});
