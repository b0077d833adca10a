import type { Router } from "express";
import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { Store } from "../store/open-store.js";

/**
 * One area of the server (leads, deal alerts, Slack, …), built by its own
 * `wire*` function so it reads on its own: the routes it mounts, the
 * background work `start` begins (given where in Notion to work, when it
 * needs that), and a `stop` that waits for the work in flight.
 */
export type CrmArea<Targets = void> = {
  readonly routes: readonly Router[];
  start(targets: Targets): void;
  stop(): Promise<void>;
};

/** What every area may use; built once by startCrmServer. */
export type AreaDependencies = {
  db: Store;
  notion: NotionGateway;
  logger: Logger;
  /** Aborted when the server stops: cuts Notion calls in flight short. */
  signal: AbortSignal;
};
