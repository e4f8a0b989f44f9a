/**
 * The shipped models, listed in `public/models/index.json` (filled when a model is added to
 * public/models/<name>/). A missing or broken manifest reads as "no shipped model" with the
 * reason, so the hub path still works.
 */
import { z } from 'zod';

const Entry = z.object({
  name: z.string().min(1),
  /** folder URL relative to the site root; default `models/<name>/`. */
  path: z.string().optional(),
  description: z.string().optional(),
  parameters: z.number().optional(),
});
const Manifest = z.object({ models: z.array(Entry) });

export type ShippedModel = { name: string; path: string; description?: string; parameters?: number };
export type ManifestState = { state: 'loading' } | { state: 'ready'; models: ShippedModel[] } | { state: 'failed'; why: string };

export function parseManifest(raw: unknown, base: string): ShippedModel[] {
  const m = Manifest.parse(raw);
  return m.models.map((e) => ({ ...e, path: new URL(e.path ?? `models/${e.name}/`, base).pathname }));
}

export async function fetchManifest(): Promise<ManifestState> {
  const base = new URL(import.meta.env.BASE_URL, location.href).href;
  try {
    const res = await fetch(new URL('models/index.json', base), { cache: 'no-cache' });
    if (res.status === 404) return { state: 'ready', models: [] };
    if (!res.ok) return { state: 'failed', why: `models/index.json: HTTP ${res.status}` };
    return { state: 'ready', models: parseManifest(await res.json(), base) };
  } catch (e) {
    return { state: 'failed', why: `models/index.json could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}
