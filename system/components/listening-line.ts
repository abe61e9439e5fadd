/** `{"event":"listening","url":"http://..."}`, the ready line of the fake Gemini and the dashboard server. */
export function listeningUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown; url?: unknown };
    return parsed.event === 'listening' && typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}
