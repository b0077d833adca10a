import { afterEach, describe, expect, it } from "vitest";
import type { NotionEmulator } from "../src/index.js";
import { seedCrm } from "./crm-fixture.js";
import { sdkFor, startEmulator } from "./emulator-test-kit.js";

describe("the integration's user-information capability", () => {
  let emulator: NotionEmulator | undefined;
  afterEach(() => emulator?.stop());

  it("answers GET /v1/users/{id} with person.email when it may read emails", async () => {
    emulator = await startEmulator({ userInformation: "with_email" });
    const id = emulator.admin.addUser("Dana Lee", { email: "dana@acme.test" });
    const user = await sdkFor(emulator).users.retrieve({ user_id: id });
    expect(user).toMatchObject({ id, name: "Dana Lee", type: "person", person: { email: "dana@acme.test" } });
    const listed = await sdkFor(emulator).users.list({});
    expect(listed.results.find((u) => u.id === id)).toMatchObject({ person: { email: "dana@acme.test" } });
  });

  it("withholds person.email by default, as Notion does without the capability", async () => {
    emulator = await startEmulator();
    const id = emulator.admin.addUser("Dana Lee", { email: "dana@acme.test" });
    const user = await sdkFor(emulator).users.retrieve({ user_id: id });
    expect(user).toMatchObject({ id, name: "Dana Lee", type: "person", person: {} });
    expect(JSON.stringify(user)).not.toContain("dana@acme.test");
    const listed = await sdkFor(emulator).users.list({});
    expect(JSON.stringify(listed)).not.toContain("dana@acme.test");
  });

  it("makes an email from the name when none is given", async () => {
    emulator = await startEmulator({ userInformation: "with_email" });
    const id = emulator.admin.addUser("Bo Ray");
    expect(await sdkFor(emulator).users.retrieve({ user_id: id })).toMatchObject({
      person: { email: "bo.ray@example.com" },
    });
  });

  it("shows people in pages by id and name, never with an email", async () => {
    emulator = await startEmulator({ userInformation: "with_email" });
    const seed = seedCrm(emulator);
    const id = emulator.admin.addUser("Dana Lee", { email: "dana@acme.test" });
    const deal = emulator.admin.insertPage(seed.deals.dataSourceId, {
      "Deal Name": { title: [{ text: { content: "D" } }] },
      Owner: { people: [{ id }] },
    });
    const page = await sdkFor(emulator).pages.retrieve({ page_id: deal.id });
    expect("properties" in page && page.properties["Owner"]).toMatchObject({ people: [{ id, name: "Dana Lee" }] });
    expect(JSON.stringify(page)).not.toContain("dana@acme.test");
  });
});
