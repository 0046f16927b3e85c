/**
 * The scenario client interface. A client is one file exporting a `ClientDefinition`, listed once
 * in ./registry.ts; the scenario option `client` is the registry's names.
 *
 * A definition is the client as a package (name, version, formats); `create` gives a client with
 * its options settled: what the scenario stated, and the client's own defaults for the rest (the
 * SDK's real maxRetries and timeout, read back from the SDK instance).
 */
import type { ClientRun } from '../../model.ts';
import type { ChatBody, RecordOptions, StreamFormat } from '../sse-connection.ts';

/** Options a scenario may state; anything left out is the client's own default. */
export interface StatedClientOptions {
  /** Reconnects of the harness's naive/resumable clients; the bound on `eventsource`'s own reconnects. */
  maxReconnects?: number;
  /** SDK clients: `maxRetries` of the SDK (its default when absent). */
  maxRetries?: number;
  /** SDK clients: `timeout` of the SDK, ms (its default when absent); `eventsource`: its run's deadline. */
  timeoutMs?: number;
}

/** The options a client ran with, for the report. */
export type ClientOptionsRecord = Record<string, number | string | boolean>;

/** One logical request for a client to run. */
export interface ClientRequest {
  /** The path's URL: a bare origin (`http://host:port`); each client appends its endpoint. */
  url: string;
  format: StreamFormat;
  body: ChatBody;
  headers?: Record<string, string>;
  /** Called on every event of every connection, as it arrives (fault arming). */
  onEvent?: RecordOptions['onEvent'];
  /** Checked after every event; true aborts the client (on purpose: outcome 'aborted'). */
  abortWhen?: RecordOptions['abortWhen'];
  /** Awaited before every HTTP attempt after the first (reconnects, SDK retries): faults until first-cut come off. */
  beforeReconnect?: RecordOptions['beforeReconnect'];
}

export interface ScenarioClient {
  readonly name: string;
  readonly version: string;
  /** The options it runs with (stated ones, defaults filled in). */
  readonly options: ClientOptionsRecord;
  run(request: ClientRequest): Promise<ClientRun>;
}

export interface ClientDefinition {
  readonly name: string;
  /** The package version (an SDK's own package.json; streamproof's for the harness's clients). */
  readonly version: string;
  /** The wire formats it speaks: a scenario's `format` must be one of them. */
  readonly formats: readonly StreamFormat[];
  /** One line for people: what it is and how it is driven. */
  readonly description: string;
  create(stated: StatedClientOptions): ScenarioClient;
}
