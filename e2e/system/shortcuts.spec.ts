import { consoleNav, signIn } from './support/console.js';
import { expect, test } from './support/fixtures.js';

test.describe('keyboard shortcuts', () => {
  test.describe.configure({ timeout: 240_000 });

  test('"?" shows the help, Escape closes it, "g j" goes to the jobs, "/" focuses their search, keys typed into a field stay text', async ({ page, system }) => {
    await signIn(page, system.info.accounts.admin);
    // The first console load transforms the Firestore chunk on the dev server: slow on a loaded machine.
    await expect(consoleNav(page)).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('overview-page')).toBeVisible({ timeout: 60_000 });

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help).toBeVisible();
    await expect(help).toContainText('Go to Jobs');
    await expect(help).toContainText('Search jobs');
    await page.keyboard.press('Escape');
    await expect(help).toBeHidden();

    await page.keyboard.press('g');
    await page.keyboard.press('j');
    await expect(page).toHaveURL(/\/queues(\?|$)/);
    await expect(page.getByTestId('queues-page')).toBeVisible({ timeout: 60_000 });
    await expect(consoleNav(page).getByRole('link', { name: 'Queues & jobs', exact: true })).toHaveAttribute('aria-current', 'page');

    await page.keyboard.press('g');
    await page.keyboard.press('b');
    await expect(page).toHaveURL(/\/breakers$/);
    await expect(page.getByRole('heading', { name: 'Circuit breakers' })).toBeVisible({ timeout: 60_000 });

    // From another page, "/" opens the jobs page and puts the cursor in its search.
    await page.keyboard.press('/');
    await expect(page).toHaveURL(/\/queues(\?|$)/);
    const search = page.getByRole('search', { name: 'Job search' }).getByLabel('Search jobs');
    await expect(search).toBeFocused({ timeout: 60_000 });
    await page.keyboard.type('g?');
    await expect(search).toHaveValue('g?');
    await expect(help).toBeHidden();
    await expect(page).toHaveURL(/\/queues(\?|$)/);
  });
});
