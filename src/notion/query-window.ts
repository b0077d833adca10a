import { isFullPage, type PageObjectResponse, type QueryDataSourceParameters } from "@notionhq/client";
import type { NotionGateway } from "./notion-gateway.js";

/** Notion's largest page of query results: the fewest calls to read every row. */
export const QUERY_PAGE_SIZE = 100;

export type QueryFilter = NonNullable<QueryDataSourceParameters["filter"]>;
export type QuerySorts = NonNullable<QueryDataSourceParameters["sorts"]>;

/**
 * A data source query read to its end, past the 10,000 results one Notion
 * query returns. `Start` is a row's sort key: a window starts at the last
 * row of the one before (included again), so the sort must put every row
 * after its window's start, and a row must not move while it is read.
 */
export type WindowedQuery<Start> = {
  /** Names the call in logs and errors. */
  operation: string;
  dataSourceId: string;
  /** The ids of the properties each row is read with (`filter_properties`); none named: every property. */
  filterProperties: readonly string[];
  sorts: QuerySorts;
  /** Where the first window starts; unset: at the first row. */
  from?: Start | undefined;
  /** The filter of the window that starts at `start` (undefined: from the first row), `start` included. */
  filter(start: Start | undefined): QueryFilter | undefined;
  /** A row's sort key: where the next window starts when this row is the last one a window returned. */
  startOf(row: PageObjectResponse): Start;
  /** Called when a window was cut off and the next one starts at `start`. */
  onNewWindow?(start: Start, rowsRead: number): void;
  /** @default QUERY_PAGE_SIZE */
  pageSize?: number;
};

/** The rows, each once, in the query's order, with what it cost. */
export type WindowedRows = AsyncIterable<PageObjectResponse> & {
  /** Queries sent so far: one per page of results. */
  readonly queries: number;
  /** Rows yielded so far. */
  readonly rows: number;
  /**
   * False when more rows share one sort key than one query returns: no window
   * can split them, so some rows were not read. Known once the rows are read.
   */
  readonly complete: boolean;
};

/**
 * Every row of a query, one page (at most 100 rows) per gateway call: a
 * failure on page 50 is that page's retry in the gateway, not a restart.
 * When Notion says a query is incomplete (`request_status`, its 10,000-row
 * cap; once said on any page of a window it holds, as in the SDK's
 * `iterateAllDataSourceRows`), a new window starts at the last row read, and
 * rows read twice at the seam are yielded once.
 */
export function queryWindowed<Start>(notion: Pick<NotionGateway, "read">, query: WindowedQuery<Start>): WindowedRows {
  let queries = 0;
  let rows = 0;
  let complete = true;

  async function* read(): AsyncGenerator<PageObjectResponse> {
    const seen = new Set<string>();
    let start = query.from;
    for (;;) {
      const filter = query.filter(start);
      let cursor: string | undefined;
      let capped = false;
      let fresh = 0;
      let last: PageObjectResponse | undefined;
      do {
        const params: QueryDataSourceParameters = {
          data_source_id: query.dataSourceId,
          sorts: query.sorts,
          page_size: query.pageSize ?? QUERY_PAGE_SIZE,
          ...(filter !== undefined && { filter }),
          ...(query.filterProperties.length > 0 && { filter_properties: [...query.filterProperties] }),
          ...(cursor !== undefined && { start_cursor: cursor }),
        };
        const page = await notion.read(query.operation, (client) => client.dataSources.query(params));
        queries++;
        cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
        capped ||= page.request_status?.type === "incomplete";
        for (const result of page.results) {
          if (!isFullPage(result)) continue;
          last = result;
          if (seen.has(result.id)) continue;
          seen.add(result.id);
          fresh++;
          rows++;
          yield result;
        }
      } while (cursor !== undefined);
      if (!capped) return;
      const next = last === undefined ? undefined : query.startOf(last);
      // Nothing new, or a window that would start where this one did: the rest share one sort key.
      if (fresh === 0 || next === undefined || sameStart(next, start)) {
        complete = false;
        return;
      }
      start = next;
      query.onNewWindow?.(start, rows);
    }
  }

  return {
    [Symbol.asyncIterator]: read,
    get queries() {
      return queries;
    },
    get rows() {
      return rows;
    },
    get complete() {
      return complete;
    },
  };
}

function sameStart<Start>(a: Start, b: Start | undefined): boolean {
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
