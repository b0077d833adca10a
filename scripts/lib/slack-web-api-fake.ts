// A loopback stand-in for the parts of Slack's Web API this project calls,
// shared by the tests (test/support) and the demo. It checks the bearer
// token, answers as Slack does (HTTP 200 with `ok: false` for an error,
// HTTP 429 with Retry-After for a rate limit), and records every call.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_SLACK_TOKEN = "xoxb-fake-slack-bot-token";
/** Every scope the project uses, as a fresh app installed from docs/slack-app.md has them. */
export const ALL_SLACK_SCOPES = ["chat:write", "chat:write.public", "users:read", "users:read.email", "files:write"];

export type SlackApiCall = {
  method: string;
  /** The JSON body of a POST, or the query parameters of a GET. */
  args: Record<string, unknown>;
  /** Whether the bearer token was the right one. */
  authorized: boolean;
  at: number;
};

/** What the next call of a method gets instead of its normal answer. */
export type ScriptedSlackReply = { error: string } | { status: 429; retryAfterSeconds: number } | { status: number };

export type FakeSlackChannel = { id: string; name: string; isMember?: boolean; isArchived?: boolean };

export type FakeSlackOptions = {
  token?: string;
  scopes?: readonly string[];
  team?: string;
  botName?: string;
  channels?: readonly FakeSlackChannel[];
  /** email → Slack user id */
  users?: Record<string, string>;
  /** The workspace id auth.test reports. @default "T0ACME0001" */
  teamId?: string;
  /** Called with each message chat.postMessage accepts (the demo prints them). */
  onPost?: (message: PostedSlackMessage, raw: string) => void;
  /** Called with each file files.completeUploadExternal shares (the demo saves it). */
  onUpload?: (file: UploadedSlackFile) => void;
};

export type PostedSlackMessage = {
  channel: string;
  text: string;
  blocks?: Array<Record<string, unknown>>;
  at: number;
  /** Slack's id of the message in its channel ("1700000000.000001"), as chat.postMessage answers it. */
  ts?: string;
  /** The channel's id (a direct message's is the user id here). */
  channelId?: string;
};

/** A message changed in place: by chat.update, or by a POST to a click's response_url. */
export type UpdatedSlackMessage = {
  via: "chat.update" | "response_url";
  channel?: string;
  ts?: string;
  text: string;
  blocks?: Array<Record<string, unknown>>;
  replaceOriginal?: boolean;
};

/** A file shared by files.completeUploadExternal: its bytes as POSTed to the upload URL, and the message with it. */
export type UploadedSlackFile = {
  id: string;
  filename: string;
  title: string | undefined;
  bytes: Buffer;
  channel: string;
  initialComment: string | undefined;
  blocks: Array<Record<string, unknown>> | undefined;
  at: number;
};

export type SlackWebApiFake = {
  /** The SLACK_API_URL to use: http://127.0.0.1:<port>/api */
  readonly url: string;
  readonly token: string;
  /** Every call, in order, refused ones included. */
  readonly calls: SlackApiCall[];
  /** Messages chat.postMessage accepted, in order. */
  readonly posted: PostedSlackMessage[];
  /** Files shared into a channel (files.completeUploadExternal), in order. */
  readonly uploads: UploadedSlackFile[];
  /** Messages changed in place (chat.update, response_url), in order. */
  readonly updated: UpdatedSlackMessage[];
  readonly teamId: string;
  /** A fresh response_url for one click, as Slack puts in an interaction payload (this fake's, on loopback). */
  responseUrl(): string;
  /** The next POSTs to response URLs get this HTTP status instead of 200 (Slack answers 404 once one is used up). */
  failResponseUrls(status: number, count: number): void;
  callsOf(method: string): SlackApiCall[];
  /** The next calls of `method` get these answers, one each, before the normal ones resume. */
  replyNext(method: string, ...replies: ScriptedSlackReply[]): void;
  addUser(email: string, slackUserId: string): void;
  setScopes(scopes: readonly string[]): void;
  stop(): Promise<void>;
};

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startSlackWebApiFake(options: FakeSlackOptions = {}): Promise<SlackWebApiFake> {
  const token = options.token ?? FAKE_SLACK_TOKEN;
  let scopes = [...(options.scopes ?? ALL_SLACK_SCOPES)];
  const channels = new Map(
    (options.channels ?? [{ id: "C0SALES0001", name: "sales", isMember: true }]).map((channel) => [
      channel.id,
      channel,
    ]),
  );
  const users = new Map(Object.entries(options.users ?? {}).map(([email, id]) => [email.toLowerCase(), id]));
  const calls: SlackApiCall[] = [];
  const posted: PostedSlackMessage[] = [];
  const updated: UpdatedSlackMessage[] = [];
  const teamId = options.teamId ?? "T0ACME0001";
  let sequence = 0;
  let responseFailures: { status: number; count: number } = { status: 200, count: 0 };
  const scripted = new Map<string, ScriptedSlackReply[]>();
  const uploads: UploadedSlackFile[] = [];
  // files.getUploadURLExternal's reservations: file id → the announced name and length, then the bytes.
  const reserved = new Map<string, { filename: string; length: number; bytes?: Buffer }>();
  let fileSerial = 0;
  let origin = "";

  const channelFor = (ref: string): FakeSlackChannel | undefined => {
    if (ref.startsWith("#")) return [...channels.values()].find((channel) => channel.name === ref.slice(1));
    return channels.get(ref) ?? [...channels.values()].find((channel) => channel.name === ref);
  };
  const isUserId = (ref: string) => [...users.values()].includes(ref);

  type Answer = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };
  const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({
    body: { ok: false, error, ...extra },
  });
  const needs = (scope: string): Answer | undefined =>
    scopes.includes(scope) ? undefined : fail("missing_scope", { needed: scope, provided: scopes.join(",") });

  const methods: Record<string, (args: Record<string, unknown>) => Answer> = {
    "auth.test": () => ({
      headers: { "x-oauth-scopes": scopes.join(",") },
      body: {
        ok: true,
        url: "https://acme.slack.com/",
        team: options.team ?? "Acme",
        user: options.botName ?? "crm-bot",
        team_id: teamId,
        user_id: "U0BOT00001",
        bot_id: "B0BOT00001",
      },
    }),
    "conversations.info": (args) => {
      const channel = channelFor(String(args["channel"] ?? ""));
      if (channel === undefined || String(args["channel"]).startsWith("#")) return fail("channel_not_found");
      return {
        body: {
          ok: true,
          channel: {
            id: channel.id,
            name: channel.name,
            is_channel: true,
            is_archived: channel.isArchived ?? false,
            is_member: channel.isMember ?? false,
          },
        },
      };
    },
    "users.lookupByEmail": (args) => {
      const missing = needs("users:read.email") ?? needs("users:read");
      if (missing !== undefined) return missing;
      const id = users.get(String(args["email"] ?? "").toLowerCase());
      return id === undefined ? fail("users_not_found") : { body: { ok: true, user: { id, name: id.toLowerCase() } } };
    },
    // https://api.slack.com/methods/files.getUploadURLExternal: form-encoded filename and length.
    "files.getUploadURLExternal": (args) => {
      const missing = needs("files:write");
      if (missing !== undefined) return missing;
      const filename = String(args["filename"] ?? "");
      const length = Number(args["length"]);
      if (filename === "" || !Number.isInteger(length) || length <= 0) return fail("invalid_arguments");
      const id = `F0FAKE${String(++fileSerial).padStart(5, "0")}`;
      reserved.set(id, { filename, length });
      return { body: { ok: true, upload_url: `${origin}/upload/v1/${id}`, file_id: id } };
    },
    // https://api.slack.com/methods/files.completeUploadExternal: files is a JSON array of {id, title}.
    "files.completeUploadExternal": (args) => {
      const missing = needs("files:write");
      if (missing !== undefined) return missing;
      let files: Array<{ id?: unknown; title?: unknown }>;
      try {
        files = JSON.parse(String(args["files"] ?? "")) as Array<{ id?: unknown; title?: unknown }>;
      } catch {
        return fail("invalid_arguments");
      }
      if (!Array.isArray(files) || files.length === 0) return fail("invalid_arguments");
      const channelRef = args["channel_id"] === undefined ? undefined : String(args["channel_id"]);
      const channel = channelRef === undefined ? undefined : channels.get(channelRef);
      if (channelRef !== undefined && channel === undefined) return fail("channel_not_found");
      if (channel?.isArchived) return fail("is_archived");
      if (channel !== undefined && !channel.isMember && !scopes.includes("chat:write.public"))
        return fail("not_in_channel");
      const found = files.map((file) => ({ file, upload: reserved.get(String(file.id)) }));
      if (found.some(({ upload }) => upload?.bytes === undefined)) return fail("file_not_found");
      const blocks = args["blocks"] === undefined ? undefined : (JSON.parse(String(args["blocks"])) as unknown);
      for (const { file, upload } of found) {
        const shared: UploadedSlackFile = {
          id: String(file.id),
          filename: upload!.filename,
          title: typeof file.title === "string" ? file.title : undefined,
          bytes: upload!.bytes!,
          channel: channelRef ?? "",
          initialComment: typeof args["initial_comment"] === "string" ? args["initial_comment"] : undefined,
          blocks: Array.isArray(blocks) ? (blocks as Array<Record<string, unknown>>) : undefined,
          at: Date.now(),
        };
        uploads.push(shared);
        reserved.delete(shared.id);
        options.onUpload?.(shared);
      }
      return {
        body: { ok: true, files: found.map(({ file }) => ({ id: String(file.id), title: file.title ?? "" })) },
      };
    },
    "chat.postMessage": (args) => {
      const missing = needs("chat:write");
      if (missing !== undefined) return missing;
      const ref = String(args["channel"] ?? "");
      const text = typeof args["text"] === "string" ? args["text"] : "";
      if (text === "" && !Array.isArray(args["blocks"])) return fail("no_text");
      let channelId = ref;
      if (!isUserId(ref)) {
        const channel = channelFor(ref);
        if (channel === undefined) return fail("channel_not_found");
        if (channel.isArchived) return fail("is_archived");
        if (!channel.isMember && !scopes.includes("chat:write.public")) return fail("not_in_channel");
        channelId = channel.id;
      }
      sequence += 1;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(sequence).padStart(6, "0")}`;
      const message: PostedSlackMessage = {
        channel: ref,
        text,
        ...(Array.isArray(args["blocks"]) && { blocks: args["blocks"] as Array<Record<string, unknown>> }),
        at: Date.now(),
        ts,
        channelId,
      };
      posted.push(message);
      options.onPost?.(message, JSON.stringify(args));
      return { body: { ok: true, channel: channelId, ts } };
    },
    // https://api.slack.com/methods/users.info: the email only with users:read.email.
    "users.info": (args) => {
      const missing = needs("users:read");
      if (missing !== undefined) return missing;
      const id = String(args["user"] ?? "");
      const email = [...users.entries()].find(([, userId]) => userId === id)?.[0];
      if (email === undefined) return fail("user_not_found");
      const name = email.split("@")[0]!;
      return {
        body: {
          ok: true,
          user: {
            id,
            team_id: teamId,
            name,
            real_name: name,
            profile: { real_name: name, display_name: name, ...(scopes.includes("users:read.email") && { email }) },
          },
        },
      };
    },
    // https://api.slack.com/methods/chat.update
    "chat.update": (args) => {
      const missing = needs("chat:write");
      if (missing !== undefined) return missing;
      const channel = String(args["channel"] ?? "");
      const ts = String(args["ts"] ?? "");
      const original = posted.find((message) => message.ts === ts && message.channelId === channel);
      if (original === undefined) return fail("message_not_found");
      const text = typeof args["text"] === "string" ? args["text"] : "";
      const blocks = Array.isArray(args["blocks"]) ? (args["blocks"] as Array<Record<string, unknown>>) : undefined;
      updated.push({ via: "chat.update", channel, ts, text, ...(blocks && { blocks }) });
      return { body: { ok: true, channel, ts, text, message: { text, ...(blocks && { blocks }) } } };
    },
  };

  const server: Server = createServer((req, res) => {
    const uploadId = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(new URL(req.url ?? "/", "http://fake").pathname)?.[1];
    if (uploadId !== undefined) return void receiveUpload(uploadId, req, res);
    void readArgs(req).then((args) => {
      // A click's response_url (https://api.slack.com/interactivity/handling#message_responses): no token, JSON in.
      if ((req.url ?? "").startsWith("/actions/")) {
        calls.push({ method: "response_url", args, authorized: true, at: Date.now() });
        if (responseFailures.count > 0) {
          responseFailures.count -= 1;
          res.writeHead(responseFailures.status, { "content-type": "text/plain" }).end("expired_url");
          return;
        }
        const blocks = Array.isArray(args["blocks"]) ? (args["blocks"] as Array<Record<string, unknown>>) : undefined;
        updated.push({
          via: "response_url",
          text: typeof args["text"] === "string" ? args["text"] : "",
          ...(blocks && { blocks }),
          replaceOriginal: args["replace_original"] === true || args["replace_original"] === "true",
        });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
        return;
      }
      const method = new URL(req.url ?? "/", "http://fake").pathname.replace(/^\/api\//, "");
      const authorized = req.headers.authorization === `Bearer ${token}`;
      calls.push({ method, args, authorized, at: Date.now() });
      const answer = reply(method, args, authorized);
      res
        .writeHead(answer.status ?? 200, { "content-type": "application/json; charset=utf-8", ...answer.headers })
        .end(JSON.stringify(answer.body));
    });
  });

  // The upload URL takes the file's bytes (raw or multipart) with no token, and answers "OK - <length>" in plain text.
  async function receiveUpload(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    calls.push({ method: "upload", args: { fileId: id, length: bytes.length }, authorized: true, at: Date.now() });
    const upload = reserved.get(id);
    if (upload === undefined || req.method !== "POST") return void res.writeHead(404).end("not found");
    if (bytes.length !== upload.length) return void res.writeHead(400).end("length mismatch");
    upload.bytes = bytes;
    res.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${bytes.length}`);
  }

  function reply(method: string, args: Record<string, unknown>, authorized: boolean): Answer {
    const next = scripted.get(method)?.shift();
    if (next !== undefined) {
      if ("error" in next) return fail(next.error);
      if (next.status === 429 && "retryAfterSeconds" in next) {
        return {
          status: 429,
          headers: { "retry-after": String(next.retryAfterSeconds) },
          body: fail("ratelimited").body,
        };
      }
      return { status: next.status, body: { ok: false, error: "fatal_error" } };
    }
    if (!authorized) return fail("invalid_auth");
    const handler = methods[method];
    return handler === undefined ? { status: 404, body: fail("unknown_method").body } : handler(args);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}/api`,
    token,
    calls,
    posted,
    uploads,
    updated,
    teamId,
    responseUrl: () => `http://127.0.0.1:${port}/actions/${teamId}/${++sequence}/fake-response-token`,
    failResponseUrls: (status, count) => void (responseFailures = { status, count }),
    callsOf: (method) => calls.filter((call) => call.method === method),
    replyNext: (method, ...replies) => void scripted.set(method, [...(scripted.get(method) ?? []), ...replies]),
    addUser: (email, slackUserId) => void users.set(email.toLowerCase(), slackUserId),
    setScopes: (next) => void (scopes = [...next]),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A POST's JSON or form body, or a GET's query, as one object. */
async function readArgs(req: IncomingMessage): Promise<Record<string, unknown>> {
  const url = new URL(req.url ?? "/", "http://fake");
  const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
  let raw = "";
  for await (const chunk of req) raw += (chunk as Buffer).toString();
  if (raw === "") return args;
  if ((req.headers["content-type"] ?? "").includes("application/json")) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed !== null && typeof parsed === "object") return { ...args, ...(parsed as Record<string, unknown>) };
    } catch {
      return { ...args, invalid_json: true };
    }
    return args;
  }
  return { ...args, ...Object.fromEntries(new URLSearchParams(raw)) };
}
