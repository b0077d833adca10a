import { selectOptionName } from "../notion/property-values.js";

/** A `utm_source` an unsigned post may turn into a new Source option: a plain slug. */
export const SOURCE_SLUG = /^[A-Za-z0-9._-]{1,40}$/;
/** Source's option count from which an unsigned post adds no more options. */
export const SOURCE_MAX_OPTIONS = 50;

export type FormSource = { utm_source: string | undefined; refused?: string };

/**
 * Whether an unsigned post's `utm_source` may become the contact's Source.
 * Anyone can post to /form, and each new value would be a new option on
 * Contacts' Source for good: only an existing option, or a plain slug while
 * Source has fewer than 50 options, is used. Anything else leaves Source to
 * the default (`website`) and goes to the activity's notes. `knownOptions`
 * is Source's options as the schema check at start read them (undefined
 * until it has); options admitted since are counted here.
 */
export function createFormSourcePolicy(knownOptions: () => readonly string[] | undefined) {
  const admitted = new Set<string>();
  return {
    decide(utmSource: string | undefined): FormSource {
      if (utmSource === undefined) return { utm_source: undefined };
      const options = new Set([...(knownOptions() ?? []), ...admitted]);
      if (options.has(selectOptionName(utmSource))) return { utm_source: utmSource };
      if (!SOURCE_SLUG.test(utmSource) || options.size >= SOURCE_MAX_OPTIONS)
        return { utm_source: undefined, refused: utmSource };
      return { utm_source: utmSource };
    },
    /** A lead with this Source was stored: its option counts from now on (spam and refusals never add one). */
    stored(utmSource: string | undefined): void {
      if (utmSource !== undefined) admitted.add(selectOptionName(utmSource));
    },
  };
}

export type FormSourcePolicy = ReturnType<typeof createFormSourcePolicy>;
