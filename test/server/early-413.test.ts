import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { FORM_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { formSignatureHex } from "../support/sign.js";

/** Sends a chunked upload that never ends and resolves with the first bytes of the answer. */
function endlessUpload(
  url: string,
  path: string,
  headers = "Content-Type: application/json\r\nX-Form-Signature: 00",
): Promise<{ answer: string; bytesSent: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let bytesSent = 0;
    let answer = "";
    const chunk = "a".repeat(16 * 1024);
    const pump = setInterval(() => {
      if (socket.destroyed || !socket.writable) return;
      socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      bytesSent += chunk.length;
    }, 2);
    // Only a guard against a hang: the answer is expected after a few chunks.
    const guard = setTimeout(() => done(), 30_000);
    const done = () => {
      clearInterval(pump);
      clearTimeout(guard);
      socket.destroy();
      resolve({ answer, bytesSent });
    };
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\n${headers}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1");
      if (answer.includes("\r\n\r\n")) done();
    });
    socket.on("close", done);
    socket.on("error", (error) => (answer === "" ? reject(error) : done()));
  });
}

async function postGzip(url: string, raw: string): Promise<{ status: number }> {
  const response = await fetch(`${url}/lead`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-encoding": "gzip",
      "x-form-signature": formSignatureHex(raw, FORM_SECRET),
    },
    body: gzipSync(raw),
  });
  await response.arrayBuffer();
  return { status: response.status };
}

describe("a body over the limit", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h.stop();
  });

  it("is answered 413 as soon as the limit is passed, not when an endless upload ends, and the connection closes", async () => {
    h = await startCrmHarness();
    const { answer } = await endlessUpload(h.server.url, "/lead");
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain("connection: close");
  });

  it("is answered 413 on /form too, as an HTML page for a browser, before an endless upload ends", async () => {
    const site = "https://www.example.com";
    h = await startCrmHarness({ env: { FORM_ALLOWED_ORIGINS: site } });
    const { answer } = await endlessUpload(
      h.server.url,
      "/form",
      `Content-Type: application/x-www-form-urlencoded\r\nOrigin: ${site}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(answer.toLowerCase()).toContain("content-type: text/html");
  });

  it("is answered 413 from its Content-Length alone, before the body is sent", async () => {
    h = await startCrmHarness();
    const { hostname, port } = new URL(h.server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      let text = "";
      // Only a guard against a hang.
      const guard = setTimeout(() => {
        socket.destroy();
        resolve("no answer");
      }, 20_000);
      socket.write(
        `POST /notion-webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n`,
      );
      socket.on("data", (data: Buffer) => {
        text += data.toString("latin1");
        if (text.includes("\r\n\r\n")) {
          clearTimeout(guard);
          socket.destroy();
          resolve(text);
        }
      });
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("counts a compressed body by what it inflates to", async () => {
    h = await startCrmHarness();
    const raw = JSON.stringify({ email: "bomb@example.com", message: "x".repeat(10 * 1024 * 1024) });
    const response = await postGzip(h.server.url, raw);
    expect(response.status).toBe(413);
    expect(h.contacts()).toEqual([]);
  });

  it("still accepts a gzip body within the limit, verified over the inflated bytes", async () => {
    h = await startCrmHarness();
    const raw = JSON.stringify({ email: "zip@example.com", name: "Zip" });
    const response = await postGzip(h.server.url, raw);
    expect(response.status).toBe(200);
    expect(h.contacts().map((page) => page.properties.Email)).toEqual([
      expect.objectContaining({ email: "zip@example.com" }),
    ]);
  });
});
