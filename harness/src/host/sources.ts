// The one place providers are built from what a caller names: fixture files, kwctl session
// files, provider objects. `idgov run`, the library (Policy) and every later command use it,
// so a fixture file or a session is read and checked the same way everywhere.
import { FixtureProvider } from "./fixtures.js";
import { ReplayProvider } from "./replay.js";
import { RecordingProvider } from "./record.js";
import type { HostCapabilityProvider } from "./provider.js";

/**
 * Where host-capability answers come from: providers (asked in order), a fixtures file path,
 * or files by kind (`fixtures` first, then the `replay` session).
 */
export type HostCapabilitySources =
  | HostCapabilityProvider
  | HostCapabilityProvider[]
  | string
  | {
    fixtures?: string;
    replay?: string;
    providers?: HostCapabilityProvider[];
    /** Record every exchange (kwctl session format): the result's `recorder` wraps the providers. */
    record?: boolean;
  };

export interface OpenedSources {
  providers: HostCapabilityProvider[];
  /** The replay provider, when a session file was named (so a caller can report unreplayed exchanges). */
  replay?: ReplayProvider;
  /** The recorder (the only provider then), when recording was asked for; write() saves the session. */
  recorder?: RecordingProvider;
}

const isProvider = (v: unknown): v is HostCapabilityProvider =>
  typeof v === "object" && v !== null && typeof (v as HostCapabilityProvider).answer === "function";

/**
 * Builds the providers. `fixtureCache` (path → provider) lets a long-lived caller read each
 * fixture file once; fixtures are not consumed, so sharing them is safe. Sessions are FIFO
 * and never shared: each call gets a new replay.
 */
export function openHostCapabilities(sources: HostCapabilitySources | undefined, fixtureCache?: Map<string, FixtureProvider>): OpenedSources {
  if (sources === undefined) return { providers: [] };
  if (Array.isArray(sources)) return { providers: sources };
  if (isProvider(sources)) return { providers: [sources] };
  const spec = typeof sources === "string" ? { fixtures: sources } : sources;
  const providers: HostCapabilityProvider[] = [];
  if (spec.fixtures !== undefined) {
    let p = fixtureCache?.get(spec.fixtures);
    if (!p) {
      p = FixtureProvider.fromFile(spec.fixtures);
      fixtureCache?.set(spec.fixtures, p);
    }
    providers.push(p);
  }
  const replay = spec.replay !== undefined ? ReplayProvider.fromFile(spec.replay) : undefined;
  if (replay) providers.push(replay);
  if (spec.providers) providers.push(...spec.providers);
  const recorder = spec.record ? new RecordingProvider(providers) : undefined;
  return { providers: recorder ? [recorder] : providers, ...(replay ? { replay } : {}), ...(recorder ? { recorder } : {}) };
}
