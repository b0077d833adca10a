import type { SlackMessage } from "../../src/slack/slack-message.js";
import { startSlackWebApiFake, type FakeSlackOptions } from "../lib/slack-web-api-fake.js";
import { renderSlackMessage } from "./render-slack-message.js";

/**
 * A loopback Slack Web API (the tests' fake): every message the app posts is
 * printed as it would look, to the channel or as a direct message, and
 * counted. `users` maps emails to Slack user ids and names for mentions.
 */
export async function startSlackAppPrinter(
  print: (text: string) => void,
  { channel, users }: { channel: { id: string; name: string }; users: Record<string, { id: string; name: string }> },
) {
  const names = Object.fromEntries(Object.values(users).map((user) => [user.id, user.name]));
  let lastRaw = "";
  const options: FakeSlackOptions = {
    channels: [{ ...channel, isMember: true }],
    users: Object.fromEntries(Object.entries(users).map(([email, user]) => [email, user.id])),
    onPost(message, raw) {
      lastRaw = raw;
      const where =
        message.channel === channel.id
          ? `#${channel.name}`
          : `a direct message to @${names[message.channel] ?? message.channel}`;
      // The fake keeps the JSON Slack received; its blocks are the ones the sender built.
      print(
        `\n  💬 Slack, ${where}:\n${renderSlackMessage(message as unknown as SlackMessage, { color: process.stdout.isTTY === true, users: names })}\n`,
      );
    },
    onUpload(file) {
      print(
        `\n  💬 Slack, #${channel.name}, with a file:\n${renderSlackMessage({ text: file.initialComment ?? "", ...(file.blocks && { blocks: file.blocks }) } as SlackMessage, { color: process.stdout.isTTY === true, users: names })}\n  📎 ${file.filename} (${Math.round(file.bytes.length / 1024)} KB)\n`,
      );
    },
  };
  const fake = await startSlackWebApiFake(options);
  return {
    url: fake.url,
    token: fake.token,
    channelId: channel.id,
    count: () => fake.posted.length + fake.uploads.length,
    uploads: () => fake.uploads,
    posted: () => fake.posted,
    /** Messages changed in place after a click, printed as they now look. */
    updated: () => fake.updated,
    printUpdate(index: number) {
      const update = fake.updated[index]!;
      print(
        `\n  ✏️  Slack, the message changed in place (${update.via}):\n${renderSlackMessage({ text: update.text, ...(update.blocks && { blocks: update.blocks }) } as SlackMessage, { color: process.stdout.isTTY === true, users: names })}\n`,
      );
    },
    responseUrl: () => fake.responseUrl(),
    teamId: fake.teamId,
    lastRaw: () => lastRaw,
    stop: () => fake.stop(),
  };
}
