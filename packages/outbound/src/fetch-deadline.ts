/**
 * One AbortSignal for a whole fetch: it fires when the caller's signal
 * does or when timeoutMs have passed, whichever comes first, and
 * remembers which (the two fail differently).
 */
export class FetchDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private firedBy: 'deadline' | 'caller' | null = null;
  private readonly onCallerAbort = (): void => this.fire('caller', this.caller?.reason);

  constructor(
    timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => this.fire('deadline', new Error(`deadline of ${timeoutMs} ms passed`)), timeoutMs);
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The deadline fired first. */
  get timedOut(): boolean {
    return this.firedBy === 'deadline';
  }

  /** The caller aborted first, and with what reason. */
  get callerAbort(): { readonly reason: unknown } | undefined {
    return this.firedBy === 'caller' ? { reason: this.controller.signal.reason } : undefined;
  }

  /** Settles with the work, or rejects as soon as the signal fires (for work that cannot be aborted: DNS). */
  race<T>(work: Promise<T>): Promise<T> {
    const { signal } = this.controller;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private fire(by: 'deadline' | 'caller', reason: unknown): void {
    if (this.firedBy !== null) return;
    this.firedBy = by;
    this.controller.abort(reason);
  }
}
