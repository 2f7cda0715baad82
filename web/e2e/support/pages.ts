/** Checks every page gets: axe (no serious or critical violation) and screenshots at a desktop and a phone size. */

import path from 'node:path';

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const BLOCKING = new Set(['serious', 'critical']);

export function screenshotPath(name: string, viewport: { width: number; height: number }): string {
  return path.join(test.info().project.testDir, 'screenshots', `${name}-${viewport.width}x${viewport.height}.png`);
}

/** Axe on the page as it is now; fails listing each serious or critical rule with the elements it hit. */
export async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const blocking = results.violations.filter((violation) => BLOCKING.has(violation.impact ?? ''));
  const report = blocking.map((violation) =>
    `${violation.impact} ${violation.id}: ${violation.help}\n` +
    violation.nodes.slice(0, 5).map((node) => `    ${node.target.join(' ')}: ${node.failureSummary ?? ''}`).join('\n'));
  expect(report, `accessibility violations on ${where}`).toEqual([]);
}

/** At each viewport: let the page settle, run axe, take a full-page screenshot, and check that the page is
 * no wider than the screen (nothing to scroll sideways on a phone). */
export async function auditPage(page: Page, name: string, ready: () => Promise<void>): Promise<void> {
  for (const viewport of VIEWPORTS) {
    const where = `${name} at ${viewport.width}x${viewport.height}`;
    await page.setViewportSize(viewport);
    await ready();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    await expectNoSeriousViolations(page, where);
    await page.screenshot({ path: screenshotPath(name, viewport), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${where}: the page is ${width}px wide, wider than the screen`).toBeLessThanOrEqual(viewport.width);
  }
}
