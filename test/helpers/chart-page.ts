/**
 * What the Chromium tests read from a usage chart drawn by uPlot (src/http/web/usage-chart.ts):
 * how many of its canvas' pixels have a series' color (a line or bars really drawn), and how many
 * steps it was given.
 */
import type { Locator } from 'playwright-core';

/** Colors of src/http/web/usage-chart.ts CHART_COLORS, as RGB. */
export const SUCCESS_GREEN = [0x15, 0x80, 0x3d] as const;
export const P50_BLUE = [0x1d, 0x4e, 0xd8] as const;

interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Opaque pixels of the chart's canvas within a small distance of `rgb`. */
export function pixelsOf(chart: Locator, rgb: readonly [number, number, number]): Promise<number> {
  return chart.locator('canvas').evaluate((element, [r, g, b]) => {
    const canvas = element as unknown as Canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 200 && Math.abs(data[i]! - r) < 40 && Math.abs(data[i + 1]! - g) < 40 && Math.abs(data[i + 2]! - b) < 40) n++;
    }
    return n;
  }, rgb);
}

/** How many steps the chart was given (its data-chart's x values). */
export async function stepsOf(chart: Locator): Promise<number> {
  const spec = JSON.parse((await chart.getAttribute('data-chart')) ?? '{}') as { x?: unknown[] };
  return spec.x?.length ?? 0;
}
