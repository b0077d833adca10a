export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/**
 * Numbered, append-only: a released migration is never edited, a change is a
 * new entry. `PRAGMA user_version` records the last one applied.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "shared Notion rate bucket",
    sql: `
      CREATE TABLE rate_bucket (
        name TEXT PRIMARY KEY,
        tokens REAL NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
