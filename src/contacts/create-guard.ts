import type { CreateHold, HoldState } from "../notion/create-hold.js";
import { CreatesHeldError } from "../notion/creates-held-error.js";
import { isCreateRefused } from "../notion/is-create-refused.js";

/** Runs a create, or refuses it without sending while Notion refuses creates. */
export type GuardCreate = <T>(run: () => Promise<T>) => Promise<T>;

/** Sends every create at once: no hold. */
export const UNGUARDED: GuardCreate = (run) => run();

export type CreateGuardEvents = {
  /** Notion refused a create; `started` is true when this refusal began the hold. */
  refused?(error: unknown, state: HoldState, started: boolean): void;
  /** Notion accepted a create while held (or another process lifted the hold): held work may follow. */
  lifted?(): void;
};

/**
 * The create-refused hold, around creates (contacts, activities): creates
 * go one at a time in this process, so the first refusal holds every create
 * after it and none is sent in vain. While held, a create is refused without
 * sending (`CreatesHeldError`) unless it is the probe, the one try per hold
 * interval. Only a create's refusal holds: the same 403 on an update is an
 * ordinary rejection.
 */
export function createCreateGuard(hold: CreateHold, events: CreateGuardEvents = {}) {
  let turn: Promise<unknown> = Promise.resolve();
  return function guardCreate({ probe }: { probe: boolean }): GuardCreate {
    return <T>(run: () => Promise<T>): Promise<T> => {
      const mine = turn.then(async () => {
        const held = hold.state();
        if (held !== undefined && !probe) throw new CreatesHeldError(held.sinceMs, false);
        try {
          const value = await run();
          if (held !== undefined || hold.state() !== undefined) {
            hold.lifted();
            events.lifted?.();
          }
          return value;
        } catch (error) {
          if (!isCreateRefused(error)) throw error;
          const started = hold.state() === undefined;
          const state = hold.refused(error instanceof Error ? error.message : String(error));
          events.refused?.(error, state, started);
          throw new CreatesHeldError(state.sinceMs, true, { cause: error });
        }
      });
      turn = mine.catch(() => undefined);
      return mine;
    };
  };
}

export type CreateGuard = ReturnType<typeof createCreateGuard>;
