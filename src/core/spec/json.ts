/**
 * JSON as the lab reads it from users (specs, config files, token files, imported state): the
 * standard syntax of JSON.parse, and no object with the same key twice. JSON.parse keeps the
 * last of duplicate keys silently, so `{"horizon": 5, "horizon": 50}` would run a horizon the
 * user may not have meant; we refuse it, naming the key and where it is. jsonc-parser's visitor
 * (a maintained parser) finds the duplicates; JSON.parse still decides what is valid JSON.
 */
import { visit } from 'jsonc-parser';

export class JsonInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonInputError';
  }
}

function pathText(path: readonly (string | number)[]): string {
  return path.length === 0 ? 'the top level' : path.map(String).join('.');
}

/** The first key written twice in one object, with the object's path; null when there is none. */
export function duplicateKey(text: string): { key: string; path: string } | null {
  const open: Set<string>[] = [];
  let found: { key: string; path: string } | null = null;
  visit(text, {
    onObjectBegin: () => void open.push(new Set()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (key, _offset, _length, _line, _column, pathSupplier) => {
      const keys = open[open.length - 1];
      if (found || !keys) return;
      if (keys.has(key)) found = { key, path: pathText(pathSupplier()) };
      keys.add(key);
    },
  });
  return found;
}

/** JSON.parse, refusing duplicate keys; `where` prefixes the error (a file, a field). */
export function parseJsonStrict(text: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new JsonInputError(`${where} is not valid JSON (${(e as Error).message})`);
  }
  const dup = duplicateKey(text);
  if (dup) throw new JsonInputError(`${where}: key ${JSON.stringify(dup.key).slice(0, 80)} appears twice in ${dup.path}; each key may be given once`);
  return value;
}
