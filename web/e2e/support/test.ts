/** The `test` every spec uses: pages for several signed-in people at once, no uncaught page errors, and the
 * stack's books balanced (GET /api/admin/audit) when each test ends. */

import { test as base, expect, type Page } from '@playwright/test';

import { expectBooksBalanced } from './api';

interface Fixtures {
  /** Whether each test ends by checking the books (a spec that moves no money checks them once, at its end). */
  checkBooksAfterEachTest: boolean;
  /** A page in a browser context of its own (its own storage, so its own signed-in user). */
  openPage: () => Promise<Page>;
  pageErrors: Error[];
  booksBalanced: void;
}

export const test = base.extend<Fixtures>({
  pageErrors: [
    async ({ page }, provide) => {
      const errors: Error[] = [];
      page.on('pageerror', (error) => errors.push(error));
      await provide(errors);
      expect(errors.map((error) => error.message), 'uncaught errors in the pages').toEqual([]);
    },
    { auto: true },
  ],
  openPage: async ({ browser, pageErrors }, provide) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await provide(async () => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error));
      return page;
    });
    for (const context of contexts) await context.close();
  },
  checkBooksAfterEachTest: [true, { option: true }],
  booksBalanced: [
    async ({ request, checkBooksAfterEachTest }, provide) => {
      await provide();
      if (checkBooksAfterEachTest) await expectBooksBalanced(request);
    },
    { auto: true },
  ],
});

export { expect };
