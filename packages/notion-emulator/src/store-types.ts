import type { RichTextItemResponse, UserObjectResponse } from "@notionhq/client";
import type { PropertyConfigResponse, PropertyValue } from "./notion-types.js";

// The emulator's in-memory records. Times are epoch ms; responses round them.

export type StoredWorkspacePage = {
  id: string;
  title: string;
  createdMs: number;
  editedMs: number;
  seq: number;
};

export type DatabaseParent = { type: "page_id"; pageId: string } | { type: "workspace" };

export type StoredDatabase = {
  id: string;
  parent: DatabaseParent;
  title: RichTextItemResponse[];
  dataSourceIds: string[];
  createdMs: number;
  editedMs: number;
  inTrash: boolean;
  seq: number;
};

export type StoredDataSource = {
  id: string;
  databaseId: string;
  title: RichTextItemResponse[];
  /** Schema in display order; replaced as a whole on every change so readers never see half an edit. */
  properties: PropertyConfigResponse[];
  createdMs: number;
  editedMs: number;
  seq: number;
};

export type StoredRow = {
  id: string;
  dataSourceId: string;
  /** Creation order; the tie-breaker for sorts and the default order. */
  seq: number;
  createdMs: number;
  editedMs: number;
  inTrash: boolean;
  /** Values keyed by property id; a missing entry is the property's empty value. */
  values: Map<string, PropertyValue>;
};

export type StoredUser = UserObjectResponse;
