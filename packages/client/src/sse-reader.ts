import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Reads a Server-Sent Events body (from fetch, which, unlike a browser's
 * EventSource, can send an Authorization header) and hands each event to
 * `onEvent` until it returns true ("done") or the stream ends. Resolves
 * true when stopped by `onEvent`, false when the stream just ended.
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: EventSourceMessage) => boolean,
): Promise<boolean> {
  let done = false;
  const parser = createParser({
    onEvent(event) {
      if (!done) done = onEvent(event);
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    while (!done) {
      const chunk = await reader.read();
      if (chunk.done) break;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
    }
    return done;
  } finally {
    // Stop the download (the server closes after a terminal event anyway).
    await reader.cancel().catch(() => undefined);
  }
}
