/**
 * A real Apache Kafka 4.x broker for integration tests: single node, KRaft (broker+controller in
 * one JVM), loopback only, on free ports, data in a temp dir that is removed on stop.
 *
 *   const broker = await startKafkaBroker();   // ~4 s when the jars are cached
 *   ... new KafkaLogClient({ bootstrap: broker.bootstrap }) ...
 *   await broker.stop();
 *
 * The jars come from Maven Central through scripts/kafka/fetch-kafka.sh into .cache/kafka/libs
 * (run on demand here, once). When `java` (or the jars and `mvn`) are missing, `kafkaSkipReason()`
 * says why and tests skip with a loud message; set SHIFTLEFT_REQUIRE_KAFKA=1 to fail instead.
 *
 * The JVM runs under a small shell wrapper that kills it and removes the temp dir as soon as
 * this process goes away (the wrapper waits for EOF on its stdin, which the OS closes when we
 * exit, however we exit, even on SIGKILL). SHIFTLEFT_KEEP_KAFKA_DIR=1 keeps the dir (broker.log).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FETCH_SCRIPT = join(ROOT, 'scripts', 'kafka', 'fetch-kafka.sh');
export const KAFKA_LIBS = process.env.SHIFTLEFT_KAFKA_CACHE ? join(process.env.SHIFTLEFT_KAFKA_CACHE, 'libs') : join(ROOT, '.cache', 'kafka', 'libs');

export interface KafkaBroker {
  /** `127.0.0.1:<port>` of the PLAINTEXT listener. */
  bootstrap: string;
  host: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  /** The broker's log (log4j2), useful when a test fails. */
  logFile: string;
  /** Milliseconds from start() to ready. */
  startupMs: number;
  /** Kills the JVM and removes the data dir. */
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  /**
   * Give up waiting for readiness after this long (default 60 000 ms). Startup takes ~3.5 s on an
   * idle 2-core machine and ~10 s when the machine is heavily loaded; the margin avoids flaky CI.
   */
  startTimeoutMs?: number;
  /** Extra server.properties entries. */
  properties?: Record<string, string | number | boolean>;
  /** JVM heap, default 512m. */
  heap?: string;
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The Kafka version scripts/kafka/pom.xml pins. */
export function pinnedKafkaVersion(): string {
  const pom = readFileSync(join(ROOT, 'scripts', 'kafka', 'pom.xml'), 'utf8');
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!m) throw new Error('scripts/kafka/pom.xml has no <kafka.version>');
  return m[1]!;
}

function libsReady(): boolean {
  return existsSync(KAFKA_LIBS) && readdirSync(KAFKA_LIBS).includes(`.complete-${pinnedKafkaVersion()}`);
}

/**
 * Why the Kafka tests cannot run here (undefined when they can). Fetches the jars when `mvn` is
 * there and they are missing (idempotent; a few seconds with a warm Maven cache).
 */
export function kafkaSkipReason(): string | undefined {
  if (!hasCommand('java')) return "'java' is not installed (Apache Kafka needs a JDK 17+)";
  if (!libsReady()) {
    if (!hasCommand('mvn')) return `the Kafka jars are not in ${KAFKA_LIBS} and 'mvn' is not installed to fetch them (scripts/kafka/fetch-kafka.sh)`;
    const r = spawnSync('bash', [FETCH_SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 10 * 60_000 });
    if (r.status !== 0) return `scripts/kafka/fetch-kafka.sh failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().slice(-600)}`;
    if (!libsReady()) return `scripts/kafka/fetch-kafka.sh ran but ${KAFKA_LIBS} is still incomplete`;
  }
  return undefined;
}

/**
 * For test files: the skip option for `describe`, printing a loud banner when skipping. With
 * SHIFTLEFT_REQUIRE_KAFKA=1 a missing prerequisite throws instead.
 */
export function kafkaTestSkip(suite: string): string | false {
  const reason = kafkaSkipReason();
  if (!reason) return false;
  if (process.env.SHIFTLEFT_REQUIRE_KAFKA === '1') throw new Error(`Kafka integration tests (${suite}) cannot run: ${reason}`);
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPING ${suite}: ${reason}\n!! Install a JDK 17+ and Maven, or run scripts/kafka/fetch-kafka.sh, to run them.\n${line}\n`);
  return `Kafka unavailable: ${reason}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

const WRAPPER = `
dir="$1"; log="$2"; shift 2
"$@" >>"$log" 2>&1 </dev/null &
pid=$!
echo "PID $pid"
# Parent gone (or stop()): stdin reaches EOF.
cat >/dev/null
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ -n "$KEEP" ] || rm -rf "$dir"
exit 0
`;

const live = new Set<ChildProcess>();
const livePids = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const child of live) child.kill('SIGKILL');
  });
}

export async function startKafkaBroker(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const started = Date.now();
  const reason = kafkaSkipReason();
  if (reason) throw new Error(`cannot start Kafka: ${reason}`);
  const host = '127.0.0.1';
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'shiftleft-kafka-'));
  const logDir = join(dataDir, 'logs');
  const logFile = join(dataDir, 'broker.log');
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(dataDir, 'data'),
    'num.partitions': 1,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    // Same default segment size as the embedded log (Kafka's own default is 1 GiB).
    'log.segment.bytes': 128 * 1024 * 1024,
    ...options.properties,
  };
  const propsFile = join(dataDir, 'server.properties');
  writeFileSync(propsFile, Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n');
  const log4j = join(dataDir, 'log4j2.properties');
  writeFileSync(
    log4j,
    [
      'status = error',
      'appender.f.type = File',
      'appender.f.name = F',
      `appender.f.fileName = ${logFile}`,
      'appender.f.layout.type = PatternLayout',
      'appender.f.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.f.ref = F',
      'logger.kafka.name = kafka',
      'logger.kafka.level = INFO',
      'logger.state.name = state.change.logger',
      'logger.state.level = WARN',
    ].join('\n') + '\n',
  );
  const classpath = `${KAFKA_LIBS}/*`;
  const jvmCommon = ['-XX:+UseSerialGC', '-Xshare:auto', `-Dlog4j2.configurationFile=${log4j}`, `-Dkafka.logs.dir=${logDir}`, '-Djava.awt.headless=true'];

  const format = spawnSync(
    'java',
    ['-Xmx256m', '-XX:TieredStopAtLevel=1', ...jvmCommon, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '--config', propsFile, '--cluster-id', clusterId(), '--ignore-formatted'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (format.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`kafka-storage format failed (exit ${format.status}): ${format.stderr || format.stdout}`);
  }

  installExitHook();
  const heap = options.heap ?? '512m';
  const child = spawn('sh', ['-c', WRAPPER, 'kafka-wrapper', dataDir, join(dataDir, 'stdout.log'), 'java', `-Xmx${heap}`, '-Xms128m', '-XX:TieredStopAtLevel=1', ...jvmCommon, '-cp', classpath, 'kafka.Kafka', propsFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, KEEP: process.env.SHIFTLEFT_KEEP_KAFKA_DIR ?? '' },
  });
  live.add(child);
  let javaPid: number | undefined;
  let exited = false;
  child.once('exit', () => {
    exited = true;
    live.delete(child);
    if (javaPid !== undefined) livePids.delete(javaPid);
  });
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const m = /PID (\d+)/.exec(chunk);
    if (m && javaPid === undefined) {
      javaPid = Number(m[1]);
      livePids.add(javaPid);
    }
  });
  // The wrapper must not keep the event loop alive, nor the pipes.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  (child.stdout as unknown as { unref?: () => void }).unref?.();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin!.end();
      const timer = setTimeout(() => {
        if (javaPid !== undefined) {
          try {
            process.kill(javaPid, 'SIGKILL');
          } catch {
            // gone
          }
        }
        child.kill('SIGKILL');
      }, 5000);
      await gone;
      clearTimeout(timer);
    }
    if (!process.env.SHIFTLEFT_KEEP_KAFKA_DIR) rmSync(dataDir, { recursive: true, force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = started + timeoutMs;
  try {
    while (!(await canConnect(host, port))) {
      if (exited) throw new Error(`Kafka exited during startup; log:\n${tail(join(dataDir, 'stdout.log'))}\n${tail(logFile)}`);
      if (Date.now() > deadline) throw new Error(`Kafka did not listen on ${host}:${port} within ${timeoutMs} ms; log:\n${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Listening is not ready: wait until a Metadata request names this broker.
    const admin = new Admin({ clientId: 'shiftleft-test-harness', bootstrapBrokers: [`${host}:${port}`], retries: 0 });
    try {
      for (;;) {
        try {
          const meta = await admin.metadata({ topics: [], forceUpdate: true });
          if (meta.brokers.size > 0) break;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`Kafka on ${host}:${port} did not answer Metadata within ${timeoutMs} ms: ${String(error)}; log:\n${tail(logFile)}`);
        }
        if (exited) throw new Error(`Kafka exited during startup; log:\n${tail(logFile)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.close();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { bootstrap: `${host}:${port}`, host, port, controllerPort, dataDir, logFile, startupMs: Date.now() - started, stop };
}
