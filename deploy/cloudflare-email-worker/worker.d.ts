// Types for the tests that import worker.js (the Worker itself is plain JavaScript, deployed as is).
export type EmailMessageLike = {
  readonly raw: ReadableStream<Uint8Array>;
  readonly rawSize?: number;
  setReject(reason: string): void;
};
export type WorkerEnv = { CRM_URL?: string; INBOUND_EMAIL_SECRET?: string };
export const MAX_MESSAGE_BYTES: number;
export const PERMANENT_STATUSES: ReadonlySet<number>;
export const REQUEST_TIMEOUT_MS: number;
export function signRawEmail(secret: string, timestamp: string, raw: Uint8Array): Promise<string>;
export function deliverToCrm(
  message: EmailMessageLike,
  env: WorkerEnv,
  deps?: { fetch?: typeof fetch; now?: () => number },
): Promise<{ status: number }>;
declare const worker: { email(message: EmailMessageLike, env: WorkerEnv): Promise<void> };
export default worker;
