/** Saving something the lab made to the person's disk: one file, or a folder as a zip (fflate). */
import { strToU8, zipSync } from 'fflate';

export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The click has started the download; the URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function downloadText(name: string, text: string, type = 'text/plain'): void {
  downloadBlob(name, new Blob([text], { type }));
}

/** A folder's files in a zip whose top directory is `folder`, as `unzip` and PEFT's loaders expect. */
export function zipFolder(folder: string, files: Record<string, string | Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, f]) => [`${folder}/${name}`, typeof f === 'string' ? strToU8(f) : f])));
}

export function downloadZip(folder: string, files: Record<string, string | Uint8Array>): void {
  const bytes = zipFolder(folder, files);
  downloadBlob(`${folder}.zip`, new Blob([bytes.buffer as ArrayBuffer], { type: 'application/zip' }));
}

/** A name for a file: letters, digits, dashes. */
export function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'lab';
}
