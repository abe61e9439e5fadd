import type { ServerClock } from '@fq/worker/core';
import { createContext, useContext, type ReactNode } from 'react';
import type { DataPort } from './port';
import type { Sources } from './sources';

export interface DataContextValue {
  port: DataPort;
  sources: Sources;
  serverClock: ServerClock;
  prefix: string;
}

const DataContext = createContext<DataContextValue | null>(null);

export function DataProvider({ value, children }: { value: DataContextValue; children: ReactNode }) {
  return <DataContext.Provider value={value}>{children}</DataContext.Provider>;
}

export function useData(): DataContextValue {
  const ctx = useContext(DataContext);
  if (!ctx) throw new Error('useData must be used inside <DataProvider>');
  return ctx;
}
