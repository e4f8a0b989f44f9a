/**
 * "SVG" and "PNG" buttons for a chart: the chart's own <svg> (recharts draws one), serialized with
 * its computed text styles inlined so the file looks as on screen, and for PNG drawn onto a
 * canvas at twice the screen size. No library does this for an existing DOM svg in a few lines
 * (the recharts docs suggest the same serializer route).
 */
import type { RefObject } from 'react';
import { downloadBlob, fileSafe } from './download.ts';

function chartSvg(root: HTMLElement | null): { text: string; width: number; height: number } | null {
  // The chart's own surface, not a legend icon (recharts draws those as small svgs too).
  const svg = root?.querySelector('.recharts-wrapper > svg.recharts-surface');
  if (!(svg instanceof SVGSVGElement)) return null;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('font-family', getComputedStyle(svg).fontFamily);
  // A white background: a transparent chart is unreadable in a dark viewer.
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#fff');
  clone.insertBefore(bg, clone.firstChild);
  return { text: new XMLSerializer().serializeToString(clone), width, height };
}

export async function chartPng(svg: { text: string; width: number; height: number }, scale = 2): Promise<Blob> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.text)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(svg.width * scale);
  canvas.height = Math.round(svg.height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in this browser');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the PNG could not be made'))), 'image/png'));
}

export function ChartExport({ target, name }: { target: RefObject<HTMLElement | null>; name: string }) {
  const file = fileSafe(name);
  return (
    <span className="chart-export" role="group" aria-label={`Download the ${name} chart`}>
      <button
        type="button"
        onClick={() => {
          const svg = chartSvg(target.current);
          if (svg) downloadBlob(`${file}.svg`, new Blob([svg.text], { type: 'image/svg+xml' }));
        }}
      >
        SVG
      </button>
      <button
        type="button"
        onClick={() => {
          const svg = chartSvg(target.current);
          if (svg) void chartPng(svg).then((b) => downloadBlob(`${file}.png`, b));
        }}
      >
        PNG
      </button>
    </span>
  );
}
