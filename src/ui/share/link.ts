/**
 * Shared links: the experiment a person set up, written into the URL's fragment and read back.
 *
 * The format is URLSearchParams in the fragment (`#v=1&env=energy-pomdp&energy-pomdp.q=0.7&step=4`):
 * - the fragment, because it never reaches the server (the lab is static files; nothing to
 *   route, nothing logged) and changing it reloads nothing;
 * - one parameter per field, named as the settings key, because a person can read and edit it
 *   (a teacher changes `q=0.7` to `q=0.9`), because a bad or mangled value costs only its own
 *   field, and because each panel owns its own parameters (a `LinkSlice`), so a new panel adds its
 *   fields without touching the others';
 * - only values that differ from their defaults, which keeps links short; opening a link puts
 *   every field it leaves out back to its default, so the receiver sees the sender's state and
 *   not a mix with their own saved settings.
 * A value is JSON, except a string that does not parse as JSON, which is written bare
 * (`tab=sweep`, not `tab="sweep"`), so the pair is exact both ways; a field that holds text as
 * typed (a parameter draft, a seed) is written as it is (`codec: 'text'`).
 */
import { z } from 'zod';
import { formatIssues } from '../../core/spec/fields.ts';

export const LINK_VERSION = '1';

/** What one slice made of its parameters: its part of the state (every field, defaults for those left out) and one sentence per parameter it could not use. */
export interface LinkRead<S> {
  patch: Partial<S>;
  problems: string[];
}

export interface LinkSlice<S> {
  /** the panel, in messages. */
  name: string;
  /** the parameters it owns, by exact name. */
  keys: readonly string[];
  /** …and by prefix (`sweep.`), for fields that are not known in advance (an experiment spec's own keys). */
  prefixes?: readonly string[];
  /** its fields that differ from their defaults, as [parameter, text], in the order they should appear. */
  write(state: S): [string, string][];
  /** its part of the state from its own parameters (only those reach it). */
  read(params: ReadonlyMap<string, string>, state: S): LinkRead<S>;
}

/** A value as link text: JSON, but a string that is not itself JSON goes bare. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') {
    try {
      JSON.parse(value);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value) ?? 'null';
}

/** The inverse of `valueText`: JSON where the text parses, otherwise the text itself. */
export function textValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Key order does not matter: `{a, b}` and `{b, a}` are the same value. */
export function sameJson(a: unknown, b: unknown): boolean {
  const sorted = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sorted) : typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)).map(([k, v]) => [k, sorted(v)])) : x;
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

/** The default a schema's `.default` gives, or `undefined` when it has none. */
export function schemaDefault(schema: z.ZodType): unknown {
  const r = schema.safeParse(undefined);
  return r.success ? r.data : undefined;
}

export type Codec = 'text' | 'json';

/**
 * One parameter's value, checked against `schema`; `undefined` when it is absent or bad (a bad
 * one adds a problem naming the parameter and what it allows).
 */
export function readParam(params: ReadonlyMap<string, string>, key: string, schema: z.ZodType, problems: string[], codec: Codec = 'json'): unknown {
  const raw = params.get(key);
  if (raw === undefined) return undefined;
  const r = schema.safeParse(codec === 'text' ? raw : textValue(raw));
  if (r.success) return r.data;
  problems.push(...formatIssues(r.error, key));
  return undefined;
}

export interface LinkField {
  /** checks a value read from a link; its `.default` is what a link without the parameter means. */
  schema: z.ZodType;
  codec?: Codec;
  /** a check beyond the schema (a range the schema cannot know): a message, or null when fine. */
  check?: (value: unknown) => string | null;
}

/**
 * A slice of plain fields, each a parameter of its own: the common case (a tab, a panel's
 * sliders). By default a field is the store's key of the same name; `pick` and `apply` map them
 * elsewhere (a panel that keeps its fields in one object).
 */
export function fieldsSlice<S>(
  name: string,
  fields: Record<string, LinkField>,
  map: { pick: (state: S) => Record<string, unknown>; apply: (values: Record<string, unknown>, state: S) => Partial<S> } = {
    pick: (state) => state as Record<string, unknown>,
    apply: (values) => values as Partial<S>,
  },
): LinkSlice<S> {
  const entries = Object.entries(fields);
  return {
    name,
    keys: entries.map(([k]) => k),
    write: (state) => {
      const values = map.pick(state);
      return entries.flatMap(([key, f]): [string, string][] => {
        const v = values[key];
        if (v === undefined || sameJson(v, schemaDefault(f.schema))) return [];
        return [[key, f.codec === 'text' ? String(v) : valueText(v)]];
      });
    },
    read: (params, state) => {
      const problems: string[] = [];
      const current = map.pick(state);
      const values: Record<string, unknown> = {};
      for (const [key, f] of entries) {
        let v = readParam(params, key, f.schema, problems, f.codec);
        const why = v === undefined ? null : (f.check?.(v) ?? null);
        if (why !== null) {
          problems.push(`${key}: ${why}`);
          v = undefined;
        }
        const fallback = schemaDefault(f.schema);
        values[key] = v !== undefined ? v : fallback !== undefined ? fallback : current[key];
      }
      return { patch: map.apply(values, state), problems };
    },
  };
}

function overlaps(a: LinkSlice<unknown>, b: LinkSlice<unknown>): string | null {
  const pa = a.prefixes ?? [];
  const pb = b.prefixes ?? [];
  for (const k of a.keys) if (b.keys.includes(k) || pb.some((p) => k.startsWith(p))) return k;
  for (const k of b.keys) if (pa.some((p) => k.startsWith(p))) return k;
  for (const p of pa) for (const q of pb) if (p.startsWith(q) || q.startsWith(p)) return p;
  return null;
}

/**
 * The panels' slices of a link. A panel registers its slice when its module loads (before the
 * app reads the address); every parameter belongs to exactly one slice, which is checked here.
 */
export class LinkRegistry<S> {
  readonly #slices: LinkSlice<S>[] = [];

  register(slice: LinkSlice<S>): void {
    for (const other of this.#slices) {
      if (other.name === slice.name) throw new Error(`a link slice named ${slice.name} is already registered`);
      const clash = overlaps(slice as LinkSlice<unknown>, other as LinkSlice<unknown>);
      if (clash !== null) throw new Error(`link slices ${other.name} and ${slice.name} both claim the parameter ${clash}`);
    }
    if (slice.keys.includes('v')) throw new Error('the parameter v is the link version');
    this.#slices.push(slice);
  }

  get slices(): readonly LinkSlice<S>[] {
    return this.#slices;
  }

  #owner(key: string): LinkSlice<S> | undefined {
    return this.#slices.find((s) => s.keys.includes(key) || (s.prefixes ?? []).some((p) => key.startsWith(p)));
  }

  /** The fragment (without `#`) that holds `state`. */
  write(state: S): string {
    const out = new URLSearchParams([['v', LINK_VERSION]]);
    for (const slice of this.#slices) {
      for (const [key, text] of slice.write(state)) {
        if (this.#owner(key) !== slice) throw new Error(`link slice ${slice.name} wrote ${key}, a parameter it does not own`);
        out.append(key, text);
      }
    }
    return out.toString();
  }

  /**
   * The state a fragment holds, over `state`: every slice's fields, from the link or at their
   * defaults. Never throws: a parameter that cannot be used, a parameter no slice knows and a
   * slice that fails each add a problem, and the rest of the link still applies.
   */
  read(fragment: string, state: S): LinkRead<S> {
    const problems: string[] = [];
    const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
    const version = params.get('v');
    if (version !== null && version !== LINK_VERSION) problems.push(`v: this link is of version ${version}, this lab reads version ${LINK_VERSION}; what it could read is used`);
    const owned = new Map<LinkSlice<S>, Map<string, string>>(this.#slices.map((s) => [s, new Map()]));
    for (const [key, text] of params) {
      if (key === 'v') continue;
      const slice = this.#owner(key);
      // A mangled link can have a parameter of any length: the message quotes its start.
      if (!slice) problems.push(`${key.length > 40 ? `${key.slice(0, 40)}…` : key}: not a setting of this lab; ignored`);
      else if (owned.get(slice)!.has(key)) problems.push(`${key}: given twice; the first is used`);
      else owned.get(slice)!.set(key, text);
    }
    const patch: Partial<S> = {};
    for (const slice of this.#slices) {
      try {
        const r = slice.read(owned.get(slice)!, state);
        Object.assign(patch, r.patch);
        problems.push(...r.problems);
      } catch (e) {
        problems.push(`${slice.name}: could not be read (${e instanceof Error ? e.message : String(e)}); left as it was`);
      }
    }
    return { patch, problems };
  }
}
