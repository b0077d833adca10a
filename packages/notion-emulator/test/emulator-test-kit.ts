import { APIResponseError, Client } from "@notionhq/client";
import { createNotionEmulator, type NotionEmulator, type NotionEmulatorOptions } from "../src/index.js";

export const VERSION = "2025-09-03";

/** A started emulator without a rate limit unless the test asks for one. */
export async function startEmulator(options: NotionEmulatorOptions = {}): Promise<NotionEmulator> {
  const emulator = createNotionEmulator({ requestsPerMinute: Infinity, ...options });
  await emulator.start();
  return emulator;
}

/** The real SDK, pointed at the emulator, with its own retries off so every answer is seen. */
export function sdkFor(emulator: NotionEmulator, overrides: { auth?: string; timeoutMs?: number } = {}): Client {
  return new Client({
    auth: overrides.auth ?? emulator.token,
    baseUrl: emulator.url,
    retry: false,
    notionVersion: VERSION,
    logger: () => {},
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
  });
}

/** Raw HTTP for what the SDK will not send: bad headers, bad JSON, odd paths. */
export async function rawRequest(
  emulator: NotionEmulator,
  method: string,
  path: string,
  opts: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown>; text: string }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${emulator.token}`,
      "notion-version": VERSION,
      "content-type": "application/json",
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: opts.body }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // HTML answers stay in `text`.
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** Runs `action` and answers the APIResponseError it must throw. */
export async function apiError(action: () => Promise<unknown>): Promise<APIResponseError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof APIResponseError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

export const title = (content: string) => ({ title: [{ text: { content } }] });
export const richText = (content: string) => ({ rich_text: [{ text: { content } }] });
