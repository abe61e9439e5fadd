import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { KeyboardShortcuts } from './KeyboardShortcuts';

function Where() {
  return <output data-testid="where">{useLocation().pathname}</output>;
}

function JobsPage() {
  return (
    <form role="search" aria-label="Job search">
      <input aria-label="Search jobs" />
    </form>
  );
}

function setup(path = '/') {
  let t = 0;
  const user = userEvent.setup();
  render(
    <MemoryRouter initialEntries={[path]}>
      {/* A fake clock: each key press is 100 ms after the last. */}
      <KeyboardShortcuts now={() => (t += 100)} />
      <Where />
      <input aria-label="Some field" />
      <Routes>
        <Route path="/queues" element={<JobsPage />} />
        <Route path="*" element={null} />
      </Routes>
    </MemoryRouter>,
  );
  return { user, where: () => screen.getByTestId('where').textContent };
}

describe('KeyboardShortcuts', () => {
  it('"?" opens the help listing every shortcut, Escape closes it', async () => {
    const { user } = setup();
    await user.keyboard('?');
    const help = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(help).toHaveTextContent('Go to Jobs');
    expect(help).toHaveTextContent('Search jobs');
    // While the help is open, its keys are its own: "g j" does not navigate behind it.
    await user.keyboard('gj');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('"g" then a letter goes to the page, and keys typed into a field are text', async () => {
    const { user, where } = setup('/');
    await user.keyboard('gj');
    await waitFor(() => expect(where()).toBe('/queues'));
    await user.keyboard('gb');
    await waitFor(() => expect(where()).toBe('/breakers'));
    await user.click(screen.getByLabelText('Some field'));
    await user.keyboard('gs?');
    expect(screen.getByLabelText('Some field')).toHaveValue('gs?');
    expect(where()).toBe('/breakers');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('"/" focuses the job search, opening the jobs page first when it is elsewhere', async () => {
    const { user, where } = setup('/breakers');
    await user.keyboard('/');
    await waitFor(() => expect(where()).toBe('/queues'));
    await waitFor(() => expect(screen.getByLabelText('Search jobs')).toHaveFocus());
    // Typed into the field now, not taken as shortcuts.
    await user.keyboard('go');
    expect(screen.getByLabelText('Search jobs')).toHaveValue('go');
    expect(where()).toBe('/queues');
  });

  it('"/" ignores a search field on a hidden page and opens the jobs page', async () => {
    const { user, where } = setup('/breakers');
    const stale = document.createElement('div');
    stale.style.display = 'none';
    stale.innerHTML = '<form role="search"><input aria-label="Stale search"></form>';
    document.body.append(stale);
    await user.keyboard('/');
    await waitFor(() => expect(where()).toBe('/queues'));
    await waitFor(() => expect(screen.getByLabelText('Search jobs')).toHaveFocus());
    stale.remove();
  });

  it('the footer hint opens the help for a mouse user', async () => {
    const { user } = setup();
    await user.click(screen.getByTestId('shortcuts-hint'));
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeInTheDocument();
  });
});
