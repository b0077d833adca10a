import { SingleBar } from "cli-progress";
import { formatDuration } from "../util/format-duration.js";

/** A plain progress line this often when stderr is not a terminal (CI, systemd, a file). */
export const PROGRESS_LINE_INTERVAL_MS = 5_000;

export type ImportCounts = { created: number; updated: number; unchanged: number; rejected: number };

export type ImportProgress = {
  /** `total`: the contacts that need a call to Notion. */
  start(total: number): void;
  /** One more of them done; `counts` so far. */
  tick(counts: ImportCounts): void;
  stop(): void;
};

/**
 * On a terminal, a cli-progress bar with rate and ETA; otherwise one line
 * every few seconds, so a log shows the import moving without a line per row.
 */
export function createImportProgress(
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): ImportProgress {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: "import |{bar}| {value}/{total} contacts written | {rate}/s | ETA {eta_formatted}",
      etaBuffer: 50,
      hideCursor: true,
    });
    let startedAt = now();
    let done = 0;
    return {
      start(total) {
        startedAt = now();
        bar.start(total, 0, { rate: "0.0" });
      },
      tick() {
        done++;
        bar.update(done, { rate: (done / Math.max(0.001, (now() - startedAt) / 1000)).toFixed(1) });
      },
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let done = 0;
  let startedAt = now();
  let lastLineAt = now();
  let last: ImportCounts | undefined;
  const line = () => {
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = rate > 0 ? ` about ${formatDuration(((total - done) / rate) * 1000)} left,` : "";
    const counts = last === undefined ? "" : ` (created ${last.created}, updated ${last.updated})`;
    stream.write(`import: ${done}/${total} contacts written${counts},${left} ${rate.toFixed(1)}/s\n`);
  };
  return {
    start(count) {
      total = count;
      startedAt = lastLineAt = now();
      stream.write(`import: ${total} contacts to write\n`);
    },
    tick(counts) {
      done++;
      last = counts;
      if (now() - lastLineAt >= PROGRESS_LINE_INTERVAL_MS) {
        lastLineAt = now();
        line();
      }
    },
    stop() {
      if (total > 0) line();
    },
  };
}
