import { isCluster, type RedisClientLike, type RedisClusterLike, type RedisCommands } from "./redisCommands.js";
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
export function heartbeatedChannel(client: RedisClientLike | RedisClusterLike, redis: RedisCommands, listener: RevocationListener): () => Promise<void> {
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
  const message = (text: string) => {
    up();
    const kind = KIND_OF[text.slice(0, 1)];
    if (kind !== undefined && text[1] === ":") listener.event({ kind, id: text.slice(2) });
  };
  const subscriber = client.duplicate();
  subscriber.on("error", down);
  if (!isCluster(subscriber)) {
    // A client's subscriber is ready when subscribed again after a reconnect (node-redis resubscribes first).
    subscriber.on("ready", up);
    subscriber.on("end", down);
  }
  // Sharded pub/sub on a cluster: the channel lives on the master of its slot, not on every node.
  const { channel } = redis.key;
  subscriber
    .connect()
    .then(() => (isCluster(subscriber) ? subscriber.sSubscribe(channel, message) : subscriber.subscribe(channel, message)))
    .then(
      () => {
        subscribed = true;
        up();
      },
      // The connection retries by itself; until it subscribes, every use asks Redis.
      () => listener.down(),
    );
  // Removed on close: the command connection is the app's own client, which outlives the store.
  const commandsBack = () => {
    if (live && !closed) listener.up();
  };
  if (!isCluster(client)) client.on("ready", commandsBack);
  const timer = setInterval(() => {
    const silentMs = performance.now() - lastHeardMs;
    if (silentMs >= SILENCE_MS) down();
    if (silentMs < HEARTBEAT_MS || publishing || !subscribed) return;
    publishing = true;
    const done = () => (publishing = false);
    redis.publish(HEARTBEAT).then(done, done);
  }, CHECK_MS);
  timer.unref();
  return () => {
    closed = true;
    clearInterval(timer);
    if (!isCluster(client)) client.off("ready", commandsBack);
    const closing = async () => (isCluster(subscriber) ? subscriber.destroy() : subscriber.close());
    return closing().catch(() => undefined);
  };
}
