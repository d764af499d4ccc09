/**
 * Whether this process exports traces. Read by the hot paths that add trace fields (the log
 * mixin, the principal annotation) so they cost one boolean check when tracing is off.
 */
let active = false;

export const TraceState = {
  enabled(): boolean {
    return active;
  },
  /** Set once by the tracing bootstrap (and by tests of the hot paths). */
  setEnabled(value: boolean): void {
    active = value;
  },
};
