import { useCallback, useEffect, useRef, useState } from 'react';

export type RecorderState =
  | { status: 'unsupported' }
  | { status: 'idle' }
  | { status: 'requesting' }
  | { status: 'recording'; startedAt: number }
  | { status: 'error'; message: string };

export interface RecorderEnv {
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  MediaRecorder?: typeof MediaRecorder;
  now?: () => number;
}

function defaultEnv(): RecorderEnv {
  return {
    getUserMedia: typeof navigator !== 'undefined' && navigator.mediaDevices?.getUserMedia ? (c) => navigator.mediaDevices.getUserMedia(c) : undefined,
    MediaRecorder: typeof MediaRecorder === 'undefined' ? undefined : MediaRecorder,
    now: () => Date.now(),
  };
}

/** Records from the microphone with MediaRecorder; `onRecorded` gets the finished clip. */
export function useRecorder(onRecorded: (clip: Blob, durationSec: number) => void, env: RecorderEnv = defaultEnv()) {
  const supported = !!env.getUserMedia && !!env.MediaRecorder;
  const [state, setState] = useState<RecorderState>(supported ? { status: 'idle' } : { status: 'unsupported' });
  const recorder = useRef<MediaRecorder | null>(null);
  const onRecordedRef = useRef(onRecorded);
  useEffect(() => {
    onRecordedRef.current = onRecorded;
  });
  const envRef = useRef(env);

  const start = useCallback(async () => {
    const { getUserMedia, MediaRecorder: Recorder, now = Date.now } = envRef.current;
    if (!getUserMedia || !Recorder) return;
    setState({ status: 'requesting' });
    let stream: MediaStream;
    try {
      stream = await getUserMedia({ audio: true });
    } catch (error) {
      const denied = error instanceof DOMException && error.name === 'NotAllowedError';
      setState({ status: 'error', message: denied ? 'Microphone access was denied.' : 'No microphone is available.' });
      return;
    }
    const chunks: Blob[] = [];
    const rec = new Recorder(stream);
    const startedAt = now();
    rec.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    rec.onstop = () => {
      stream.getTracks().forEach((t) => t.stop());
      recorder.current = null;
      setState({ status: 'idle' });
      const type = (rec.mimeType || chunks[0]?.type || 'audio/webm').split(';')[0]!;
      onRecordedRef.current(new Blob(chunks, { type }), (now() - startedAt) / 1000);
    };
    recorder.current = rec;
    rec.start();
    setState({ status: 'recording', startedAt });
  }, []);

  const stop = useCallback(() => recorder.current?.stop(), []);
  useEffect(() => () => recorder.current?.stop(), []);
  return { state, start, stop };
}
