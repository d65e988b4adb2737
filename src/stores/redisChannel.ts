import type { RevocationEvent, RevocationListener } from "./TokenStore.js";

/** A process that has heard nothing on the channel for this long publishes a heartbeat on it. */
export const HEARTBEAT_MS = 500;
/**
 * Silent for this long, the channel counts as down: remembered "not revoked" verdicts are dropped.
 * 1.5 s, not the 2 s the contract allows: a busy event loop reads its timers late, and the margin
 * keeps the promise on a loaded machine.
 */
export const SILENCE_MS = 1_500;
const CHECK_MS = 100;
const HEARTBEAT = "h:";

const KINDS = { token: "t", session: "s", subject: "u", apikey: "k" } as const;
const KIND_OF: Record<string, RevocationEvent["kind"]> = { t: "token", s: "session", u: "subject", k: "apikey" };

/** The text of an announcement on the channel. */
export const announcement = (kind: RevocationEvent["kind"], id: string) => `${KINDS[kind]}:${id}`;

/** What the channel needs of a Redis connection (a client or a cluster). */
export interface ChannelConnection {
  /**
   * Opens the subscriber: `message` for each message; `ready` when it is subscribed again after
   * a reconnect (node-redis resubscribes first); `lost` when its connection fails. Returns its close.
   */
  open(handlers: { message(text: string): void; ready(): void; lost(): void }): { subscribed: Promise<void>; close(): Promise<void> };
  /** Publishes `text` on the channel through the command connection. */
  publish(text: string): Promise<unknown>;
  /** Registers `back`, called when the command connection is ready again after an outage; returns its removal. */
  onCommandsBack(back: () => void): () => void;
}

/**
 * The revocation channel of `redisStore`, heartbeated. Redis pub/sub says nothing when a path
 * drops packets without a reset (node-redis notices only when TCP keepalive does, minutes
 * later): a process that trusted the channel then would keep accepting revoked tokens. So every
 * message counts as a sign of life; a process that has heard nothing for {@link HEARTBEAT_MS}
 * publishes a heartbeat (with many processes, one heartbeat serves all), and one that has heard
 * nothing for {@link SILENCE_MS} tells the listener the channel is down (it then asks the store on
 * every use, and answers 503 while the store cannot answer). The first message heard brings it
 * up again. When the command connection comes back after an outage, the listener is told `up`
 * again: checks that failed meanwhile are made again at once. Returns its close.
 */
export function heartbeatedChannel(connection: ChannelConnection, listener: RevocationListener): () => Promise<void> {
  let subscribed = false;
  let live = false;
  let closed = false;
  let lastHeardMs = performance.now();
  let publishing = false;
  const up = () => {
    lastHeardMs = performance.now();
    if (!subscribed || closed || live) return;
    live = true;
    listener.up();
  };
  const down = () => {
    if (!live || closed) return;
    live = false;
    listener.down(Date.now() - (performance.now() - lastHeardMs));
  };
  const subscriber = connection.open({
    message(text) {
      up();
      const kind = KIND_OF[text.slice(0, 1)];
      if (kind !== undefined && text[1] === ":") listener.event({ kind, id: text.slice(2) });
    },
    ready: up,
    lost: down,
  });
  subscriber.subscribed.then(
    () => {
      subscribed = true;
      up();
    },
    // The connection retries by itself; until it subscribes, every use asks Redis.
    () => listener.down(),
  );
  // Removed on close: the command connection is the app's own client, which outlives the store.
  const stopCommandsBack = connection.onCommandsBack(() => {
    if (live && !closed) listener.up();
  });
  const timer = setInterval(() => {
    const silentMs = performance.now() - lastHeardMs;
    if (silentMs >= SILENCE_MS) down();
    if (silentMs < HEARTBEAT_MS || publishing || !subscribed) return;
    publishing = true;
    const done = () => (publishing = false);
    connection.publish(HEARTBEAT).then(done, done);
  }, CHECK_MS);
  timer.unref();
  return () => {
    closed = true;
    clearInterval(timer);
    stopCommandsBack();
    return subscriber.close().catch(() => undefined);
  };
}
