/**
 * Turns what `@platformatic/kafka` throws (nested MultipleErrors, ResponseErrors carrying
 * ProtocolErrors with Kafka's error ids, NetworkErrors) into ShiftleftErrors whose message names
 * the broker and the cause.
 */
import { ShiftleftError, type ErrorCode } from '../../common/errors.ts';

/** A Kafka protocol error found inside a client error: Kafka's id (`OFFSET_OUT_OF_RANGE`) and message. */
export interface KafkaProtocolFailure {
  id: string;
  code: number;
  message: string;
  serverMessage: string | null;
  /** JSON-pointer-like path into the response (`/responses/0/partitions/1`), when known. */
  path: string | undefined;
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  apiId?: unknown;
  apiCode?: unknown;
  serverErrorMessage?: unknown;
  path?: unknown;
  errors?: unknown;
  cause?: unknown;
  response?: unknown;
}

function* walk(error: unknown, depth = 0): Generator<ErrorLike> {
  if (error === null || typeof error !== 'object' || depth > 8) return;
  const e = error as ErrorLike;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* walk(inner, depth + 1);
  if (e.cause !== undefined) yield* walk(e.cause, depth + 1);
}

/** Every Kafka protocol error (ProtocolError) inside `error`, outermost first. */
export function protocolFailures(error: unknown): KafkaProtocolFailure[] {
  const out: KafkaProtocolFailure[] = [];
  for (const e of walk(error)) {
    if (typeof e.apiId === 'string') {
      out.push({
        id: e.apiId,
        code: typeof e.apiCode === 'number' ? e.apiCode : -1,
        message: typeof e.message === 'string' ? e.message : e.apiId,
        serverMessage: typeof e.serverErrorMessage === 'string' ? e.serverErrorMessage : null,
        path: typeof e.path === 'string' ? e.path : undefined,
      });
    }
  }
  return out;
}

/** The first Kafka error id found (`UNKNOWN_TOPIC_OR_PARTITION`, ...), if any. */
export function kafkaErrorId(error: unknown): string | undefined {
  return protocolFailures(error)[0]?.id;
}

/** The decoded response a ResponseError carries (Kafka answers errors per partition inside it). */
export function responseOf<T>(error: unknown): T | undefined {
  for (const e of walk(error)) {
    if (e.response !== undefined && e.response !== null && typeof e.response === 'object') return e.response as T;
  }
  return undefined;
}

/** True when the failure is about reaching the broker (refused, reset, timed out, closed). */
export function isNetworkFailure(error: unknown): boolean {
  for (const e of walk(error)) {
    if (e.code === 'PLT_KFK_NETWORK' || e.code === 'PLT_KFK_TIMEOUT') return true;
    if (typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE|EAI_AGAIN)$/.test(e.code)) return true;
  }
  return false;
}

/** The deepest, most specific message in the chain (the socket error rather than "failed 3 times"). */
export function rootMessage(error: unknown): string {
  let best: string | undefined;
  for (const e of walk(error)) {
    if (typeof e.message === 'string' && e.message.length > 0) {
      if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.message;
      best = e.message;
    }
  }
  return best ?? String(error);
}

/** Kafka error ids and the ShiftleftError code they become. */
const CODE_BY_KAFKA_ID: Record<string, ErrorCode> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'TOPIC_NOT_FOUND',
  UNKNOWN_TOPIC_ID: 'TOPIC_NOT_FOUND',
  TOPIC_ALREADY_EXISTS: 'TOPIC_ALREADY_EXISTS',
  INVALID_TOPIC_EXCEPTION: 'INVALID_TOPIC_NAME',
  INVALID_CONFIG: 'INVALID_TOPIC_CONFIG',
  INVALID_PARTITIONS: 'INVALID_TOPIC_CONFIG',
  INVALID_REPLICATION_FACTOR: 'INVALID_TOPIC_CONFIG',
  POLICY_VIOLATION: 'INVALID_TOPIC_CONFIG',
  MESSAGE_TOO_LARGE: 'RECORD_TOO_LARGE',
  RECORD_LIST_TOO_LARGE: 'RECORD_TOO_LARGE',
  OFFSET_OUT_OF_RANGE: 'OFFSET_OUT_OF_RANGE',
  CORRUPT_MESSAGE: 'CORRUPT_RECORD',
  INVALID_RECORD: 'INVALID_RECORD',
  INVALID_TIMESTAMP: 'INVALID_RECORD',
  GROUP_ID_NOT_FOUND: 'GROUP_NOT_FOUND',
  NON_EMPTY_GROUP: 'CONFLICT',
  INVALID_GROUP_ID: 'INVALID_ARGUMENT',
  UNKNOWN_MEMBER_ID: 'INVALID_OFFSET_COMMIT',
  ILLEGAL_GENERATION: 'INVALID_OFFSET_COMMIT',
  REBALANCE_IN_PROGRESS: 'INVALID_OFFSET_COMMIT',
  INVALID_COMMIT_OFFSET_SIZE: 'INVALID_OFFSET_COMMIT',
  OFFSET_METADATA_TOO_LARGE: 'INVALID_OFFSET_COMMIT',
  STALE_MEMBER_EPOCH: 'INVALID_OFFSET_COMMIT',
  TOPIC_AUTHORIZATION_FAILED: 'FORBIDDEN',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'FORBIDDEN',
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: 'FORBIDDEN',
  UNSUPPORTED_SASL_MECHANISM: 'UNAUTHENTICATED',
  ILLEGAL_SASL_STATE: 'UNAUTHENTICATED',
  GROUP_AUTHORIZATION_FAILED: 'FORBIDDEN',
  CLUSTER_AUTHORIZATION_FAILED: 'FORBIDDEN',
  SASL_AUTHENTICATION_FAILED: 'UNAUTHENTICATED',
  REQUEST_TIMED_OUT: 'TIMEOUT',
  COORDINATOR_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  COORDINATOR_LOAD_IN_PROGRESS: 'BROKER_UNAVAILABLE',
  NOT_COORDINATOR: 'BROKER_UNAVAILABLE',
  LEADER_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  NOT_LEADER_OR_FOLLOWER: 'BROKER_UNAVAILABLE',
  BROKER_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  NOT_ENOUGH_REPLICAS: 'BROKER_UNAVAILABLE',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'BROKER_UNAVAILABLE',
  KAFKA_STORAGE_ERROR: 'BROKER_UNAVAILABLE',
  UNSUPPORTED_VERSION: 'UNSUPPORTED',
};

export interface MapContext {
  /** What we were doing, for the message: `producing to 'orders'`. */
  action: string;
  /** The broker(s) involved, `host:port`. */
  broker: string;
  topic?: string;
  details?: Record<string, unknown>;
}

/** Maps any error from the Kafka client into a ShiftleftError naming the broker and the cause. */
export function toKafkaError(error: unknown, ctx: MapContext): ShiftleftError {
  if (error instanceof ShiftleftError) return error;
  const details = { broker: ctx.broker, ...(ctx.topic === undefined ? {} : { topic: ctx.topic }), ...ctx.details };
  const failure = protocolFailures(error)[0];
  if (failure) {
    const code = CODE_BY_KAFKA_ID[failure.id] ?? 'INTERNAL';
    const cause = failure.serverMessage ? `${failure.id}: ${failure.serverMessage}` : `${failure.id} (${failure.message})`;
    return new ShiftleftError(code, `${ctx.action} failed on Kafka broker ${ctx.broker}: ${cause}`, {
      hint: hintFor(failure.id, ctx),
      details: { ...details, kafkaError: failure.id },
      cause: error,
    });
  }
  if (isNetworkFailure(error)) return unreachable(ctx, error);
  return new ShiftleftError('INTERNAL', `${ctx.action} failed on Kafka broker ${ctx.broker}: ${rootMessage(error)}`, {
    details,
    cause: error,
  });
}

/** Node's TLS certificate verification failures (the broker is there, we do not trust it). */
const TLS_TRUST_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/;

function errorCodes(error: unknown): string[] {
  const out: string[] = [];
  for (const e of walk(error)) if (typeof e.code === 'string') out.push(e.code);
  return out;
}

/**
 * Why a connection to a broker could not be established: refused credentials and untrusted
 * certificates are told apart from an unreachable broker, because "is Kafka running?" is the
 * wrong question to send a user whose password is wrong.
 */
export function connectionFailure(ctx: MapContext, error: unknown): ShiftleftError {
  const protocol = typeof ctx.details?.securityProtocol === 'string' ? ` over ${ctx.details.securityProtocol}` : '';
  const failure = protocolFailures(error)[0];
  const codes = errorCodes(error);
  if (codes.includes('PLT_KFK_AUTHENTICATION') || failure?.id === 'SASL_AUTHENTICATION_FAILED' || failure?.id === 'UNSUPPORTED_SASL_MECHANISM' || failure?.id === 'ILLEGAL_SASL_STATE') {
    const cause = failure?.serverMessage ?? failure?.id ?? rootMessage(error);
    return new ShiftleftError('UNAUTHENTICATED', `Kafka broker ${ctx.broker} refused to authenticate shiftleft${protocol} (${ctx.action}): ${cause}`, {
      hint:
        failure?.id === 'UNSUPPORTED_SASL_MECHANISM' || failure?.id === 'ILLEGAL_SASL_STATE' || /suitable SASL mechanism/.test(rootMessage(error))
          ? "the listener does not accept this SASL mechanism (or no SASL at all): check --kafka-sasl-mechanism against the listener's sasl.enabled.mechanisms"
          : 'check --kafka-sasl-username and SHIFTLEFT_KAFKA_SASL_PASSWORD, and that the user exists on the cluster (SCRAM users are created with kafka-configs.sh)',
      details: { broker: ctx.broker, ...ctx.details, ...(failure ? { kafkaError: failure.id } : {}) },
      cause: error,
    });
  }
  const tlsCode = codes.find((c) => TLS_TRUST_CODES.test(c));
  if (tlsCode) {
    return new ShiftleftError('UNAUTHENTICATED', `the TLS certificate of Kafka broker ${ctx.broker} is not trusted (${ctx.action}): ${tlsCode}: ${rootMessage(error)}`, {
      hint: "pass the CA that signed the brokers' certificates with --kafka-ca FILE (PEM)",
      details: { broker: ctx.broker, ...ctx.details, tlsError: tlsCode },
      cause: error,
    });
  }
  // A TLS client on a plaintext listener: the broker drops the connection during the handshake.
  if (/TLS handshake failed|before secure TLS connection|wrong version number|ERR_SSL_/i.test(`${rootMessage(error)} ${codes.join(' ')}`)) {
    return new ShiftleftError('BROKER_UNAVAILABLE', `TLS handshake with Kafka broker ${ctx.broker} failed (${ctx.action}): ${rootMessage(error)}`, {
      hint: 'the listener may not speak TLS (drop --kafka-tls) or may need TLS (add --kafka-tls): compare with its listener.security.protocol.map',
      details: { broker: ctx.broker, ...ctx.details },
      cause: error,
    });
  }
  if (failure) return toKafkaError(error, ctx);
  return unreachable(ctx, error);
}

export function unreachable(ctx: MapContext, error: unknown): ShiftleftError {
  return new ShiftleftError('BROKER_UNAVAILABLE', `Kafka broker ${ctx.broker} is unreachable (${ctx.action}): ${rootMessage(error)}`, {
    hint: `check that a Kafka broker listens on ${ctx.broker} and that the bootstrap address is right`,
    details: { broker: ctx.broker, ...ctx.details },
    cause: error,
  });
}

function hintFor(id: string, ctx: MapContext): string | undefined {
  switch (id) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'UNKNOWN_TOPIC_ID':
      return ctx.topic ? `create the topic '${ctx.topic}' first, or check its name` : undefined;
    case 'MESSAGE_TOO_LARGE':
    case 'RECORD_LIST_TOO_LARGE':
      return "records of one call to one partition form one batch: send fewer or smaller records, or raise the topic's 'max.message.bytes'";
    case 'INVALID_CONFIG':
      return 'the broker rejected a topic config value (Kafka may enforce stricter limits, e.g. segment.bytes >= 1 MiB)';
    case 'TOPIC_AUTHORIZATION_FAILED':
      return `the cluster's ACLs do not let this principal use ${ctx.topic ? `topic '${ctx.topic}'` : 'the topic'}: grant it (kafka-acls.sh --add --allow-principal User:... --operation All --topic ${ctx.topic ?? '<topic>'}) or use another principal`;
    case 'GROUP_AUTHORIZATION_FAILED':
      return "the cluster's ACLs do not let this principal use the consumer group: grant READ on the group (kafka-acls.sh --group ...)";
    case 'CLUSTER_AUTHORIZATION_FAILED':
      return "the cluster's ACLs do not let this principal do this (e.g. CREATE or IDEMPOTENT_WRITE on the cluster): grant it, or create the topic beforehand";
    case 'SASL_AUTHENTICATION_FAILED':
      return 'check --kafka-sasl-username and SHIFTLEFT_KAFKA_SASL_PASSWORD';
    case 'NON_EMPTY_GROUP':
      return 'stop the group\'s members before deleting it';
    default:
      return undefined;
  }
}
