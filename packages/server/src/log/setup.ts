import type { Config } from '../config/config.ts';
import { loadPlatformKeys, type PlatformKeys } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import { createOutbox, createOutboxWorker, type Outbox, type RunResult } from '../notify/outbox.ts';
import {
  createSmsGatewaySender,
  createSmtpSender,
  createWebhookSender,
  type Sender,
} from '../notify/senders.ts';
import { defaultLogOrigin } from './checkpoint.ts';
import { createUsageRecorder, type UsageRecorder } from './record.ts';
import { createUsageLog, type UsageLog } from './repository.ts';

/** Sequences waiting entries and signs a checkpoint, now or every interval; several processes may run it. */
export function createCheckpointPublisher({
  log,
  intervalMs,
  onError = () => {},
}: {
  log: UsageLog;
  intervalMs: number;
  onError?: (error: unknown) => void;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const runOnce = () => {
    running ??= (async () => {
      await log.sequenceAll();
      await log.publishCheckpoint();
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    runOnce,
    start() {
      timer = setInterval(() => runOnce().catch(onError), intervalMs).unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}

export interface PlatformUsageLog {
  keys: PlatformKeys;
  log: UsageLog;
  outbox: Outbox;
  /** What features call: log an event and queue its notifications in one transaction. */
  recorder: UsageRecorder;
  /** Which citizen channels this process sends; a channel with no server configured stays queued. Webhooks always go. */
  channels: string[];
  /** Sends whatever notifications are due now, without waiting for the next poll (after a commit, in tests). */
  deliverNow(): Promise<RunResult>;
  /** Sequences waiting entries and signs a checkpoint now. */
  publishNow(): Promise<void>;
  /** Starts the checkpoint publisher and the outbox worker. */
  start(): void;
  /** Stops both and waits for work in progress. */
  stop(): Promise<void>;
}

/** Wires the usage log and notifications from configuration: keys, log, outbox, senders and background jobs. */
export function openUsageLog({
  config,
  db,
  keys = loadPlatformKeys(config.keys),
  onError = () => {},
}: {
  config: Pick<Config, 'keys' | 'usageLog' | 'notify' | 'publicUrl'>;
  db: Db;
  keys?: PlatformKeys;
  onError?: (error: unknown, context: string) => void;
}): PlatformUsageLog {
  const log = createUsageLog({
    db,
    keys,
    origin: config.usageLog.origin ?? defaultLogOrigin(config.publicUrl),
    batchSize: config.usageLog.batchSize,
  });
  const outbox = createOutbox({ db, keys });
  const senders: { email?: Sender; sms?: Sender; webhook?: Sender } = {};
  if (config.notify.smtpUrl)
    senders.email = createSmtpSender({ url: config.notify.smtpUrl, from: config.notify.mailFrom });
  if (config.notify.smsGatewayUrl) senders.sms = createSmsGatewaySender({ url: config.notify.smsGatewayUrl });
  const citizenChannels = Object.keys(senders);
  // Webhooks to service providers need no server of ours: each goes to the service's own URL.
  senders.webhook = createWebhookSender();
  const worker = createOutboxWorker({
    outbox,
    senders,
    // The citizen portal's usage-log page (the identity and web issues build it).
    usageLogUrl: `${config.publicUrl}/my/usage-log`,
    maxAttempts: config.notify.maxAttempts,
    onError: (error, id) => onError(error, `notification ${id}`),
  });
  const publisher = createCheckpointPublisher({
    log,
    intervalMs: config.usageLog.checkpointIntervalMs,
    onError: (error) => onError(error, 'usage-log checkpoint'),
  });
  return {
    keys,
    log,
    outbox,
    recorder: createUsageRecorder({ log, outbox }),
    channels: citizenChannels,
    deliverNow: () => worker.runOnce(),
    publishNow: () => publisher.runOnce(),
    start() {
      publisher.start();
      worker.start(config.notify.pollIntervalMs);
    },
    async stop() {
      await Promise.all([publisher.stop(), worker.stop()]);
      await senders.email?.close?.();
    },
  };
}
