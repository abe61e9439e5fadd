import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeAuth } from '../test/fakeAuth';
import { renderApp } from '../test/render';

describe('console shell and session gate', () => {
  it('shows the console heading and a sign-in form when signed out', async () => {
    renderApp();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Firequeue console');
    expect(await screen.findByRole('form', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('signs an admin in with email and password, shows identity, and signs out', async () => {
    const auth = new FakeAuth();
    auth.addAccount('admin@example.com', 's3cret!', true);
    renderApp({ auth });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'admin@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 's3cret!');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('signed-in-user')).toHaveTextContent('admin@example.com');
    expect(await screen.findByRole('navigation', { name: 'Console' })).toBeInTheDocument();
    expect(await screen.findByTestId('overview-page')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('form', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('refuses a signed-in user without the admin claim with a clear page', async () => {
    const auth = new FakeAuth().as({ uid: 'u-9', email: 'user@example.com', isAdmin: false });
    let loads = 0;
    renderApp({
      auth,
      loadData: () => {
        loads += 1;
        return Promise.reject(new Error('must not load'));
      },
    });
    const page = await screen.findByTestId('not-authorised');
    expect(page).toHaveTextContent('Not authorised');
    expect(page).toHaveTextContent('user@example.com');
    expect(screen.queryByRole('navigation', { name: 'Console' })).toBeNull();
    expect(loads).toBe(0);
  });

  it('lets the user retry when the data layer fails to load', async () => {
    const auth = new FakeAuth().as({ isAdmin: true });
    let attempts = 0;
    const { data } = renderApp({
      auth,
      loadData: () => {
        attempts += 1;
        return attempts === 1 ? Promise.reject(new Error('chunk failed')) : Promise.resolve(data);
      },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('chunk failed');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.getByTestId('overview-page')).toBeInTheDocument());
  });
});

describe('cache hygiene', () => {
  it('clears cached data when the signed-in user changes', async () => {
    const { QueryClient, QueryClientProvider } = await import('@tanstack/react-query');
    const { render, act } = await import('@testing-library/react');
    const { SessionProvider } = await import('../auth/session');
    const { CacheResetOnUserChange } = await import('./App');
    const client = new QueryClient();
    client.setQueryData(['fq', '', 'doc', 'jobs', 'x'], 'secret');
    const auth = new FakeAuth().as({ uid: 'a', isAdmin: false });
    render(
      <QueryClientProvider client={client}>
        <SessionProvider auth={auth}>
          <CacheResetOnUserChange />
        </SessionProvider>
      </QueryClientProvider>,
    );
    await act(async () => {
      await Promise.resolve();
    });
    expect(client.getQueryData(['fq', '', 'doc', 'jobs', 'x'])).toBe('secret');
    act(() => auth.set(null));
    await waitFor(() => expect(client.getQueryData(['fq', '', 'doc', 'jobs', 'x'])).toBeUndefined());
  });
});
