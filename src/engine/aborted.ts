import { Observable } from "rxjs";

/** Emits once and completes when `signal` aborts, at once if it already has. */
export function aborted$(signal: AbortSignal): Observable<void> {
  return new Observable<void>((subscriber) => {
    const tell = (): void => {
      subscriber.next();
      subscriber.complete();
    };
    if (signal.aborted) return tell();
    signal.addEventListener("abort", tell, { once: true });
    return () => signal.removeEventListener("abort", tell);
  });
}
