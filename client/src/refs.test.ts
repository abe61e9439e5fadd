import { registeredQueryName, requiredIndex } from '@fq/worker/schema';
import { describe, expect, it } from 'vitest';
import { refs } from './refs.js';

describe('the client’s queries', () => {
  it('are registered shapes (so firestore.indexes.json is checked against them) that pin the user', () => {
    expect(registeredQueryName(refs.userJobs('u', 20))).toBe('userJobs');
    expect(registeredQueryName(refs.userActiveJobs('u', 50))).toBe('userJobsInStatuses');
    for (const q of [refs.userJobs('u', 20), refs.userActiveJobs('u', 50)]) {
      // The rules let an end user list jobs only when the query pins userId == uid.
      expect(q.where).toContainEqual({ field: 'userId', op: '==', value: 'u' });
      expect(requiredIndex(q)).not.toBeNull();
    }
  });
});
