/**
 * What building a model needs from the layers above model/: one request for a sample page (the
 * HTTP client's credentials, limits and #http rules), a table's first page under its paging, and
 * the paging a sampled page shows. Declared here and supplied by the engine, so model/ imports
 * neither http/ nor pagination/.
 */
import type { FormatDef, HttpRule, PagingDef, ResponseFormat } from './types.js';

/** Response headers, names in lower case. */
export type SampleHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface SampleRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Model-file `#http` rules (`'default'`: DataDirect's); absent: anything but 2xx is an error. */
  readonly rules?: readonly HttpRule[] | 'default';
  /**
   * Given: any body that does not parse is HTTP_NOT_JSON with this hint. Absent: a coded error
   * from the JSON reader (nesting too deep, say) keeps its code, prefixed with the request.
   */
  readonly notJsonHint?: string;
  /** How to read the body (`#format` and its settings); absent: by Content-Type. */
  readonly format?: FormatDef;
}

export interface SampleResponse {
  readonly status: number;
  readonly headers: SampleHeaders;
  /** The format the body was read as. */
  readonly format: ResponseFormat;
  /** The body parsed (JSON Lines and CSV: the records; XML: the document as JSON, texts as strings). */
  readonly json: unknown;
  /** The body as sampling reads it: numbers as written (1.0 and 1e20 are doubles), texts of CSV and XML typed. */
  readonly sampled: unknown;
  /** Where the records are when the format decides it (XML's detected element list; [] for JSON Lines and CSV); absent for JSON. */
  readonly root?: readonly string[];
}

/** A first page fetched while sampling, kept so the first unfiltered scan need not fetch it again. */
export interface PrefetchedPage {
  readonly body: unknown;
  readonly headers: SampleHeaders;
  /** The format it was read as (absent: JSON). */
  readonly format?: ResponseFormat;
}

/** A sampled first page, as paging detection reads it. */
export interface SampledFirstPage {
  readonly body: unknown;
  /** Where the records are in it. */
  readonly jsonRoot: readonly string[];
  readonly headers: SampleHeaders;
  /** The URL it came from. */
  readonly url: string;
}

export interface SampleSource {
  /** Sends one request and reads its body as JSON; a non-2xx status (under the rules) is an error. */
  fetch(request: SampleRequest): Promise<SampleResponse>;
  /** The URL of the first page of the table at `url` under `paging`. */
  firstPageUrl(url: string, paging: PagingDef | undefined): string;
  /** The paging a sampled first page shows, or a warning when it shows more pages in no way restsql follows. */
  detectPaging(page: SampledFirstPage): { readonly paging?: PagingDef; readonly warning?: string };
}
