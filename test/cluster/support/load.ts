/**
 * The test's HTTP client, standing in for a load balancer and a well-behaved caller: requests go to the
 * API processes in turn, and a request that fails with a connection error or a 5xx is sent again
 * (to the next process) with the same meaning until it gets an answer.
 */
export interface Answer<T = any> {
  status: number;
  body: T;
  attempts: number;
  ms: number;
  failures: string[];
}

export interface LoadStats {
  requests: number;
  attempts: number;
  retried: number;
  failures: Record<string, number>;
}

export class LoadClient {
  private next = 0;
  readonly stats: LoadStats = { requests: 0, attempts: 0, retried: 0, failures: {} };

  constructor(
    private readonly urls: string[],
    private readonly giveUpMs = 120_000,
  ) {}

  async request<T = any>(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer<T>> {
    const t0 = Date.now();
    const failures: string[] = [];
    this.stats.requests++;
    for (let attempt = 1; ; attempt++) {
      this.stats.attempts++;
      const url = this.urls[this.next++ % this.urls.length];
      let failure: string;
      try {
        const res = await fetch(url + path, {
          method,
          headers: {
            ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
            ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await res.text();
        if (res.status < 500) {
          if (failures.length) this.stats.retried++;
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          return { status: res.status, body: body as T, attempts: attempt, ms: Date.now() - t0, failures };
        }
        failure = `${res.status}`;
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        failure = cause?.code ?? (err as Error).name;
      }
      failures.push(failure);
      this.stats.failures[failure] = (this.stats.failures[failure] ?? 0) + 1;
      if (Date.now() - t0 > this.giveUpMs)
        throw new Error(`${method} ${path}: no answer within ${this.giveUpMs} ms (${failures.join(', ')})`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
    }
  }
}
