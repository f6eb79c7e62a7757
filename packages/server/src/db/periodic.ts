/**
 * A background sweep (expiring consents, dropping old downloads) run every `intervalMs`: one run at a
 * time, never keeping the process alive, and `stop()` waits for a run in progress.
 */
export function createPeriodicTask(task: () => Promise<unknown>) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  return {
    start(intervalMs: number, onError: (error: unknown) => void = () => {}) {
      timer = setInterval(() => {
        running ??= task()
          .catch(onError)
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
