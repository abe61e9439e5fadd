/* eslint-disable @typescript-eslint/no-unused-vars -- the snippet destructures `requests` and leaves it unused */
// The design document's "3. Use React Hook for UI Integration", as written. Supplied here:
// `audioData` (the document leaves it to the reader; the test puts a WAV data URI on the page)
// and the export. The hook's userId must be the signed-in user's uid: the test signs in as
// "user123" (with the `tier: priority` claim that `priority: 'high'` needs under our rules).
const audioData: string = (globalThis as unknown as { fqAudioData?: string }).fqAudioData ?? '';

// ---- snippet (verbatim) ----
import { useEnterpriseTranscriptionQueue } from '@/hooks/use-enterprise-transcription-queue';

function TranscriptionComponent() {
  const {
    queueTranscription,
    requests,
    stats,
    isLoading,
    hasActiveRequests
  } = useEnterpriseTranscriptionQueue({
    userId: 'user123',
    onComplete: (result) => console.log('Transcription completed:', result),
    onError: (error) => console.error('Transcription failed:', error)
  });

  const handleTranscribe = async (audioDataUri: string) => {
    try {
      const requestId = await queueTranscription(
        { audioDataUri },
        { priority: 'high' }
      );
      console.log('Queued request:', requestId);
    } catch (error) {
      console.error('Failed to queue:', error);
    }
  };

  return (
    <div>
      <button onClick={() => handleTranscribe(audioData)} disabled={isLoading}>
        {hasActiveRequests ? 'Processing...' : 'Transcribe Audio'}
      </button>
      
      {stats && (
        <div>
          Queue Size: {stats.currentQueueSize}
          Success Rate: {Math.round(stats.successRate * 100)}%
          Rate Limit: {stats.userRateLimit.remaining} remaining
        </div>
      )}
    </div>
  );
}
// ---- end of snippet ----

export { TranscriptionComponent };
