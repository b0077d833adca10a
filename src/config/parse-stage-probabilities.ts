export type StageProbabilitiesParse = { ok: true; probabilities: Map<string, number> } | { ok: false; error: string };

/**
 * Reads STAGE_PROBABILITIES: `stage:percent` pairs separated by commas
 * (`new:10,qualified:30,negotiation:60`). Stage names are compared as
 * people type them (trimmed, any case); a percent is 0 to 100.
 */
export function parseStageProbabilities(text: string): StageProbabilitiesParse {
  const probabilities = new Map<string, number>();
  for (const item of text.split(",").map((part) => part.trim())) {
    if (item === "") continue;
    const colon = item.lastIndexOf(":");
    const stage = colon < 0 ? "" : item.slice(0, colon).trim().toLowerCase();
    const percentText =
      colon < 0
        ? ""
        : item
            .slice(colon + 1)
            .trim()
            .replace(/%$/, "");
    const percent = Number(percentText);
    if (stage === "" || percentText === "" || !Number.isFinite(percent)) {
      return { ok: false, error: `has "${item}", which is not a stage:percent pair such as negotiation:60` };
    }
    if (percent < 0 || percent > 100) return { ok: false, error: `gives "${stage}" ${percent}%, outside 0 to 100` };
    if (probabilities.has(stage)) return { ok: false, error: `names the stage "${stage}" twice` };
    probabilities.set(stage, percent);
  }
  if (probabilities.size === 0) return { ok: false, error: "names no stage; write pairs like negotiation:60" };
  return { ok: true, probabilities };
}
