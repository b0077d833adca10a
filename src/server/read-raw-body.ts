import type { Request, RequestHandler, Response } from "express";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

export type RawBodyOptions = {
  /** The most a body may hold, decompressed. */
  limitBytes: number;
  /** A lower limit for some requests (an unsigned handshake), decided from the headers. */
  limitFor?: (req: Request) => number;
};

const DECODERS: Record<string, (() => Readable & NodeJS.WritableStream) | undefined> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Reads the body into `req.body` as a Buffer (decompressing gzip, deflate or
 * br). A body over the limit is answered 413 the moment the limit is passed,
 * or at once when Content-Length declares it, and the connection is closed:
 * an endless upload is not read to its end first.
 */
export function readRawBody({ limitBytes, limitFor }: RawBodyOptions): RequestHandler {
  return (req, res, next) => {
    const limit = Math.min(limitBytes, limitFor?.(req) ?? limitBytes);
    const declared = Number(req.get("content-length"));
    if (Number.isFinite(declared) && declared > limit) return tooLarge(req, res, limit);

    const encoding = (req.get("content-encoding") ?? "identity").trim().toLowerCase();
    let source: Readable = req;
    if (encoding !== "identity") {
      const decoder = DECODERS[encoding];
      if (decoder === undefined) {
        res.status(415).json({ error: `unsupported Content-Encoding "${encoding.slice(0, 40)}"` });
        req.resume();
        return;
      }
      source = req.pipe(decoder());
    }

    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const finish = (outcome: () => void) => {
      if (finished) return;
      finished = true;
      source.removeAllListeners("data");
      outcome();
    };
    source.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) finish(() => tooLarge(req, res, limit));
      else chunks.push(chunk);
    });
    source.on("end", () =>
      finish(() => {
        req.body = Buffer.concat(chunks, received);
        next();
      }),
    );
    source.on("error", () => finish(() => badBody(req, res, encoding)));
    // A sender that hangs up mid-body gets no answer: there is no one to give it to.
    req.on("aborted", () => finish(() => undefined));
  };
}

function tooLarge(req: Request, res: Response, limit: number): void {
  stopReading(req, res);
  res.status(413).json({ error: `body larger than ${limit} bytes` });
}

function badBody(req: Request, res: Response, encoding: string): void {
  stopReading(req, res);
  res.status(400).json({ error: `body could not be decoded (Content-Encoding: ${encoding.slice(0, 40)})` });
}

/** The rest of the body is not read: the answer says the connection closes, and it does once the answer is out. */
function stopReading(req: Request, res: Response): void {
  req.unpipe();
  req.pause();
  res.set("Connection", "close");
  res.on("finish", () => {
    // Let the answer leave before the socket goes; an upload still arriving is cut.
    setTimeout(() => req.socket?.destroy(), 50).unref();
  });
}
