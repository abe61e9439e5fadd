import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { LiveBridge } from './bridge';
import { LiveProvider, useConnection, useLive } from './react';
import { CACHED, FakeSource } from '../test/fakeSource';
import { FakeTimers } from '../test/fakeTimers';

function Widget({ source, id }: { source: FakeSource<number>; id: string }) {
  const r = useLive(source);
  return <span data-testid={id}>{r.isPending ? 'pending' : r.error ? `error:${r.error.message}` : String(r.data)}</span>;
}

function Badge() {
  return <span data-testid="conn">{useConnection().state}</span>;
}

function setup(ui: React.ReactNode) {
  const client = new QueryClient();
  const timers = new FakeTimers();
  const bridge = new LiveBridge(client, { graceMs: 2_000, timers });
  const view = render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <LiveProvider bridge={bridge}>{ui}</LiveProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
  return { view, bridge, timers };
}

describe('React adapter of the live bridge', () => {
  it('shares one listener between widgets (also under StrictMode double effects) and detaches after the grace time', () => {
    const source = new FakeSource<number>(['doc', 'stats']);
    const { view, timers } = setup(
      <>
        <Widget source={source} id="a" />
        <Widget source={source} id="b" />
        <Widget source={source} id="c" />
        <Badge />
      </>,
    );
    expect(source.subscribeCount).toBe(1);
    expect(screen.getByTestId('a')).toHaveTextContent('pending');
    expect(screen.getByTestId('conn')).toHaveTextContent('connecting');
    act(() => source.emit(5));
    expect(screen.getByTestId('b')).toHaveTextContent('5');
    expect(screen.getByTestId('conn')).toHaveTextContent('live');
    act(() => source.emit(6, CACHED));
    expect(screen.getByTestId('conn')).toHaveTextContent('reconnecting');
    act(() => source.fail(new Error('permission-denied')));
    expect(screen.getByTestId('c')).toHaveTextContent('error:permission-denied');
    view.unmount();
    act(() => timers.advance(2_000));
    expect(source.active).toBe(0);
  });

  it('reports offline from navigator.onLine', () => {
    setup(<Badge />);
    const original = Object.getOwnPropertyDescriptor(window.navigator, 'onLine');
    Object.defineProperty(window.navigator, 'onLine', { configurable: true, get: () => false });
    act(() => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(screen.getByTestId('conn')).toHaveTextContent('offline');
    if (original) Object.defineProperty(window.navigator, 'onLine', original);
    else delete (window.navigator as { onLine?: boolean }).onLine;
  });
});
