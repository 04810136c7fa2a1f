/** Reads a server-sent events stream over real HTTP and collects the JSON `data:` payloads. */
export class SseReader {
  readonly events: any[] = [];
  private readonly controller = new AbortController();

  private constructor() {}

  static async open(url: string, headers: Record<string, string>): Promise<{ status: number; reader?: SseReader }> {
    const sse = new SseReader();
    const res = await fetch(url, { headers, signal: sse.controller.signal });
    if (res.status !== 200 || !res.body) return { status: res.status };
    void sse.pump(res.body.getReader());
    return { status: 200, reader: sse };
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) this.events.push(JSON.parse(data));
        }
      }
    } catch {
      // aborted by close()
    }
  }

  /** Resolves with the first collected event matching, or rejects after the timeout. */
  async waitFor(match: (event: any) => boolean, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.controller.abort();
  }
}
