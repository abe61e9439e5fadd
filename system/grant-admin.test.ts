import { describe, expect, it } from 'vitest';
import { parseGrantArgs } from './grant-admin.js';

describe('grant-admin flags', () => {
  it('grants by default, revokes on request, takes the project from the environment', () => {
    expect(parseGrantArgs(['--email', 'ops@example.com'], { GCLOUD_PROJECT: 'my-project' })).toEqual({
      email: 'ops@example.com',
      projectId: 'my-project',
      revoke: false,
      create: false,
      password: undefined,
    });
    expect(parseGrantArgs(['--email', 'ops@example.com', '--project', 'other-1', '--revoke'], {})).toMatchObject({ projectId: 'other-1', revoke: true });
    expect(parseGrantArgs(['--email', 'a@b.co', '--create', '--password', 'secret-pw'], { GOOGLE_CLOUD_PROJECT: 'p-123' })).toMatchObject({
      create: true,
      password: 'secret-pw',
      projectId: 'p-123',
    });
  });

  it('binds the account to a tenant on request ("" = the default tenant)', () => {
    expect(parseGrantArgs(['--email', 'a@b.co', '--project', 'p-123', '--tenant', 'acme_'], {})).toMatchObject({ tenant: 'acme_' });
    expect(parseGrantArgs(['--email', 'a@b.co', '--project', 'p-123', '--tenant', ''], {})).toMatchObject({ tenant: '' });
    expect(() => parseGrantArgs(['--email', 'a@b.co', '--project', 'p-123', '--tenant', 'a/b'], {})).toThrow(/collection prefix/);
  });

  it.each([
    [['--email', 'not-an-email', '--project', 'p-123'], /--email must be an email address/],
    [['--email', 'a@b.co'], /--project \(or GCLOUD_PROJECT\) is required/],
    [['--email', 'a@b.co', '--project', 'Bad_Id'], /--project: lowercase/],
    [['--email', 'a@b.co', '--project', 'p-123', '--create'], /--create needs --password/],
    [['--email', 'a@b.co', '--project', 'p-123', '--password', '123'], /at least 6 characters/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseGrantArgs(argv, {})).toThrow(message);
  });

  it('answers help', () => {
    expect(parseGrantArgs(['-h'], {})).toBe('help');
  });
});
