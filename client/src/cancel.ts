import { CancelError, describeError } from './errors.js';
import { cancelProblem, type TranscriptionRequest } from './requests.js';
import { SERVER_TIME, type QueueStore, type Write } from './store.js';

/**
 * The one write of a cancel: the user's cancel request on the job. The engine performs the
 * cancellation (and aborts an in-flight upstream call), so a client never finishes a job
 * itself; the rules accept one request per job, by its owner, stamped with the commit time.
 */
export function cancelWrite(requestId: string, userId: string, reason: string | null): Write {
  return { op: 'update', collection: 'jobs', id: requestId, data: { cancelRequest: { at: SERVER_TIME, by: userId, reason } } };
}

/**
 * Writes the cancel request for `request` as this user sees it, or throws `CancelError`
 * without writing: NOT_CANCELLABLE / CANCEL_ALREADY_REQUESTED / UNKNOWN_REQUEST when the
 * rules would refuse it (`cancelProblem`; `pending`: a cancel of it is being written now),
 * CANCEL_FAILED when Firestore refused or could not take the write.
 */
export async function requestCancel(
  store: QueueStore,
  requestId: string,
  request: TranscriptionRequest | undefined,
  context: { userId: string; reason: string | null; pending: boolean },
): Promise<void> {
  const problem = cancelProblem(request, context.pending);
  if (problem) throw new CancelError(problem.code, problem.message, requestId);
  try {
    await store.commit([cancelWrite(requestId, context.userId, context.reason)]);
  } catch (error) {
    throw new CancelError('CANCEL_FAILED', `the cancel request could not be saved: ${describeError(error)}`, requestId);
  }
}
