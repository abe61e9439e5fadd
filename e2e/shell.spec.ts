import { expect, test } from '@playwright/test';

test('the dashboard shell renders with a visible heading', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Firequeue console' })).toBeVisible();
});
