import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { job } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { JobDetailPage } from './JobDetailPage';

describe('JobDetailPage duration check', () => {
  it('shows a corrected duration next to the declared one, with the note as its title', async () => {
    const data = new FakeData();
    const durationCheck = { declaredSec: 100, measuredSec: 2, method: 'parsed' as const, corrected: true, note: 'from the WAVE header' };
    data.put('jobs', 'd1', job({ status: 'queued', audio: { mimeType: 'audio/wav', bytes: 64_044, chunkCount: 1, durationSec: 2, sha256: null }, durationCheck }));
    renderPage(<JobDetailPage />, { data, path: '/jobs/d1', route: '/jobs/:jobId' });
    const line = await screen.findByText('declared 100 s, measured 2 s: corrected');
    expect(line).toHaveAttribute('title', 'from the WAVE header');
  });
});
