// One EventSource per page load for the gateway's run events (start, progress, finish); pages subscribe
// and unsubscribe as they come and go. When the server ends the stream (session ended, device revoked)
// or it fails, the app re-checks the session, which shows the sign-in screen if need be.

const listeners = new Set();
let source;
let onLost = () => {};

export function startLive(lost) {
  onLost = lost;
  if (source) return;
  source = new EventSource('/dashboard/api/events');
  for (const name of ['run-start', 'run-progress', 'run-finish']) {
    source.addEventListener(name, (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      for (const l of listeners) l(name, data);
    });
  }
  source.addEventListener('end', () => {
    stopLive();
    onLost();
  });
  source.onerror = () => {
    if (source?.readyState === EventSource.CLOSED) {
      stopLive();
      onLost();
    }
  };
}

export function stopLive() {
  source?.close();
  source = undefined;
}

/** `fn(name, data)` for every run event; returns the unsubscribe function. */
export function onRunEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
