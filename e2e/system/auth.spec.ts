import { consoleNav, saveScreenshot, signIn } from './support/console.js';
import { expect, test } from './support/fixtures.js';

test.describe('sign-in to the console', () => {
  test('an admin signs in, sees the console and who they are, and signs out', async ({ page, system }, testInfo) => {
    const { admin } = system.info.accounts;
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'sign-in');
    await signIn(page, admin);
    await expect(consoleNav(page)).toBeVisible();
    await expect(page.getByTestId('signed-in-user')).toHaveText(`${admin.email}(admin)`);
    await expect(page.getByText(/^Backend: /)).toContainText(system.info.firestore.hostAndPort);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
    await expect(consoleNav(page)).toHaveCount(0);
  });

  test('a signed-in user without the admin claim is refused the console', async ({ page, system }, testInfo) => {
    const user = system.info.accounts.users[0]!;
    await signIn(page, user);
    const refusal = page.getByTestId('not-authorised');
    await expect(refusal).toBeVisible();
    await expect(refusal.getByRole('heading', { name: 'Not authorised' })).toBeVisible();
    await expect(refusal).toContainText(user.email);
    await expect(consoleNav(page)).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'not-authorised');
    // The refusal points to what this user may use: the transcription app.
    await refusal.getByRole('link', { name: 'transcription app' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Firequeue transcription' })).toBeVisible();
    await expect(page.getByTestId('transcribe-page')).toBeVisible();
  });

  test('a wrong password is refused with a message', async ({ page, system }) => {
    await signIn(page, { email: system.info.accounts.admin.email, password: 'not-the-password' });
    await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
    await expect(consoleNav(page)).toHaveCount(0);
  });
});
