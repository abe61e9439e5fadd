import { wavDurationSec } from '@fq/worker/core';

/**
 * Reading a generateContent request body the way the Gemini API validates it, so bad input
 * gets the same 400 INVALID_ARGUMENT the SDK would see from Google.
 */
export interface ParsedGenerateRequest {
  prompt: string;
  audio: { bytes: Uint8Array; mimeType: string; durationSec: number } | null;
}

export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

interface Part {
  text?: unknown;
  inlineData?: { mimeType?: unknown; data?: unknown };
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function parseGenerateRequest(
  raw: string,
  limits: { maxInlineBytes: number; bytesPerSecondEstimate: number },
): ParsedGenerateRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new InvalidRequestError(`Invalid JSON payload received. Unexpected token in ${raw.slice(0, 20)}`);
  }
  const contents = (body as { contents?: unknown }).contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new InvalidRequestError('* GenerateContentRequest.contents: contents is not specified\n');
  }
  const texts: string[] = [];
  let audio: ParsedGenerateRequest['audio'] = null;
  contents.forEach((content: { parts?: unknown }, ci) => {
    if (!Array.isArray(content?.parts) || content.parts.length === 0) {
      throw new InvalidRequestError(`* GenerateContentRequest.contents[${ci}].parts: contents.parts must not be empty.\n`);
    }
    (content.parts as Part[]).forEach((part, pi) => {
      if (typeof part.text === 'string') texts.push(part.text);
      const inline = part.inlineData;
      if (!inline) return;
      const where = `contents[${ci}].parts[${pi}].inline_data`;
      if (typeof inline.mimeType !== 'string' || inline.mimeType === '') {
        throw new InvalidRequestError(`* GenerateContentRequest.${where}.mime_type: mime_type is not specified\n`);
      }
      if (typeof inline.data !== 'string' || !BASE64.test(inline.data)) {
        throw new InvalidRequestError(`Invalid value at '${where}.data' (TYPE_BYTES), Base64 decoding failed`);
      }
      if (!inline.mimeType.startsWith('audio/')) {
        throw new InvalidRequestError(`Unsupported MIME type: ${inline.mimeType}`);
      }
      const bytes = new Uint8Array(Buffer.from(inline.data, 'base64'));
      if (bytes.length > limits.maxInlineBytes) {
        throw new InvalidRequestError(`Request payload size exceeds the limit: ${limits.maxInlineBytes} bytes.`);
      }
      if (bytes.length === 0) throw new InvalidRequestError(`* GenerateContentRequest.${where}.data: data is empty\n`);
      let durationSec: number;
      if (inline.mimeType === 'audio/wav' || inline.mimeType === 'audio/x-wav') {
        const d = wavDurationSec(bytes);
        if (d === null) throw new InvalidRequestError('Request contains an invalid argument.');
        durationSec = d;
      } else {
        durationSec = bytes.length / limits.bytesPerSecondEstimate;
      }
      audio = { bytes, mimeType: inline.mimeType, durationSec };
    });
  });
  return { prompt: texts.join('\n'), audio };
}
