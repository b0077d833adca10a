import type { Request, RequestHandler, Response } from "express";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

export type RawBodyOptions = {
  /** The most a body may hold, decompressed. */
  limitBytes: number;
  /** A lower limit for some requests (an unsigned handshake), decided from the headers. */
  limitFor?: (req: Request) => number;
  /**
   * Answers a body that is refused (413 too large, 415 an unknown encoding,
   * 400 undecodable) in the route's own way; default: JSON `{error}`.
   */
  refuse?: BodyRefusal;
};

export type BodyRefusal = (req: Request, res: Response, status: 400 | 413 | 415, error: string) => void;

const refuseAsJson: BodyRefusal = (_req, res, status, error) => void res.status(status).json({ error });

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
export function readRawBody({ limitBytes, limitFor, refuse = refuseAsJson }: RawBodyOptions): RequestHandler {
  return (req, res, next) => {
    const limit = Math.min(limitBytes, limitFor?.(req) ?? limitBytes);
    const declared = Number(req.get("content-length"));
    if (Number.isFinite(declared) && declared > limit) return tooLarge(req, res, limit, refuse);

    const encoding = (req.get("content-encoding") ?? "identity").trim().toLowerCase();
    let source: Readable = req;
    if (encoding !== "identity") {
      const decoder = DECODERS[encoding];
      if (decoder === undefined) {
        refuse(req, res, 415, `unsupported Content-Encoding "${encoding.slice(0, 40)}"`);
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
      if (received > limit) finish(() => tooLarge(req, res, limit, refuse));
      else chunks.push(chunk);
    });
    source.on("end", () =>
      finish(() => {
        req.body = Buffer.concat(chunks, received);
        next();
      }),
    );
    source.on("error", () => finish(() => badBody(req, res, encoding, refuse)));
    // A sender that hangs up mid-body gets no answer: there is no one to give it to.
    req.on("aborted", () => finish(() => undefined));
  };
}

function tooLarge(req: Request, res: Response, limit: number, refuse: BodyRefusal): void {
  stopReading(req, res);
  refuse(req, res, 413, `body larger than ${limit} bytes`);
}

function badBody(req: Request, res: Response, encoding: string, refuse: BodyRefusal): void {
  stopReading(req, res);
  refuse(req, res, 400, `body could not be decoded (Content-Encoding: ${encoding.slice(0, 40)})`);
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
