import { describe, expect, it } from "vitest";
import { fallbackText, peopleNamedIn, personToken, renderForSlack } from "../../src/slack/person-mention.js";
import { context, section, type SlackMessage } from "../../src/slack/slack-message.js";

const DANA = "0b5f5c1e-8a4b-4c42-9d7e-3f0a2b1c4d5e";
const EVE = "1c6a6d2f-9b5c-4d53-8e8f-4a1b3c2d5e6f";

function messageWith(people: Array<{ id: string; name: string | null }>): SlackMessage {
  const names: Record<string, string | null> = {};
  const tokens = people.map((person) => personToken(person, names)).join(", ");
  return { text: "Deal won", blocks: [section("Deal won"), context(`Owner: ${tokens}`)], people: names };
}

describe("person tokens", () => {
  it("render as Slack mentions for people who map to a Slack user, names for the rest", () => {
    const message = messageWith([
      { id: DANA, name: "Dana Lee" },
      { id: EVE, name: "<!channel> Eve & co" },
    ]);
    expect(peopleNamedIn(message)).toEqual([DANA, EVE]);
    const rendered = renderForSlack(message, (id) => (id === DANA ? "U0DANA0001" : undefined));
    expect(rendered).toEqual({
      text: "Deal won",
      blocks: [section("Deal won"), context("Owner: <@U0DANA0001>, &lt;!channel&gt; Eve &amp; co")],
    });
  });

  it("render a nameless person as someone", () => {
    expect(renderForSlack(messageWith([{ id: DANA, name: null }])).blocks?.[1]).toEqual(context("Owner: someone"));
  });

  it("leave a message without people as it was, with only text and blocks", () => {
    const plain: SlackMessage = { text: "a <https://x|link>", blocks: [section("a <https://x|link>")] };
    expect(renderForSlack(plain)).toEqual(plain);
    expect(renderForSlack({ ...plain, dm: { notionUserId: DANA } })).toEqual(plain);
  });

  it("cannot be forged by user text, which is escaped before it is stored", () => {
    const forged: SlackMessage = { text: `&lt;notion-user:${DANA}&gt;`, people: { [DANA]: "Dana" } };
    expect(renderForSlack(forged, () => "U0DANA0001").text).toBe(`&lt;notion-user:${DANA}&gt;`);
  });
});

describe("fallbackText", () => {
  it("says what the blocks say, one line per section or context", () => {
    const message: SlackMessage = {
      text: "headline",
      blocks: [section("headline"), { type: "divider" }, context("a", "b")],
    };
    expect(fallbackText(message)).toBe("headline\na b");
  });

  it("is the text itself for a message without blocks", () => {
    expect(fallbackText({ text: "just text" })).toBe("just text");
  });
});
