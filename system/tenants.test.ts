import { describe, expect, it } from 'vitest';
import { parseTenantArgs } from './tenants.js';

describe('tenants flags', () => {
  it('serves, retires and lists, the project from the flag or the environment', () => {
    expect(parseTenantArgs(['--serve', 'acme_'], { GCLOUD_PROJECT: 'my-project' })).toEqual({ projectId: 'my-project', action: { kind: 'serve', prefix: 'acme_' } });
    expect(parseTenantArgs(['--serve', '', '--project', 'p-123'], {})).toEqual({ projectId: 'p-123', action: { kind: 'serve', prefix: '' } });
    expect(parseTenantArgs(['--retire', 'acme_', '--project', 'p-123'], {})).toMatchObject({ action: { kind: 'retire', prefix: 'acme_' } });
    expect(parseTenantArgs(['--list', '--project', 'p-123'], {})).toMatchObject({ action: { kind: 'list' } });
  });

  it.each([
    [['--serve', 'acme_'], /--project \(or GCLOUD_PROJECT\) is required/],
    [['--serve', 'acme.', '--project', 'p-123'], /collection prefix may only contain/],
    [['--serve', 'a_', '--list', '--project', 'p-123'], /exactly one of --serve, --retire, --list/],
    [['--project', 'p-123'], /exactly one of/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseTenantArgs(argv, {})).toThrow(message);
  });
});
