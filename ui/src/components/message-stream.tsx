/**
 * Live messages of a topic: the latest ones first, then new ones as they arrive through the
 * platform's long poll (GET /v1/topics/:topic/messages with the cursor of the previous answer).
 * For a DLQ, the contract's `__rule.*` headers get their own columns.
 */
import { useEffect, useRef, useState } from 'react';
import { api, type Message } from '../api.ts';
import { ErrorBox, formatTime } from './common.tsx';
import { FormatBadge, ValueView } from './value-view.tsx';

const SHOWN = 200;
const LONG_POLL_MS = 15_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

function header(message: Message, key: string): string | undefined {
  return message.headers.find((h) => h.key === key)?.value ?? undefined;
}

export function MessageStream({ topic, dlq = false }: { topic: string; dlq?: boolean }) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [paused, setPaused] = useState(false);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<Error>();
  const cursor = useRef<{ topic: string; value: string } | undefined>(undefined);
  /** Messages of the first answer are not highlighted: only those that arrive while watching. */
  const firstBatch = useRef(new Set<string>());

  useEffect(() => {
    if (cursor.current?.topic !== topic) {
      cursor.current = undefined;
      setMessages([]);
    }
    if (paused) return;
    const controller = new AbortController();
    const loop = async () => {
      while (!controller.signal.aborted) {
        try {
          const from = cursor.current;
          const answer = await api.messages(topic, from ? { cursor: from.value, limit: 100, maxWaitMs: LONG_POLL_MS } : { from: 'tail', limit: 50 }, controller.signal);
          if (controller.signal.aborted) return;
          if (!from) firstBatch.current = new Set(answer.messages.map((m) => `${m.partition}-${m.offset}`));
          cursor.current = { topic, value: answer.cursor };
          const newestFirst = [...answer.messages].reverse();
          if (newestFirst.length > 0) setMessages((previous) => [...newestFirst, ...previous].slice(0, SHOWN));
          setLive(true);
          setError(undefined);
        } catch (e) {
          if (controller.signal.aborted) return;
          setLive(false);
          setError(e as Error);
          await sleep(2000, controller.signal);
        }
      }
    };
    void loop();
    return () => controller.abort();
  }, [topic, paused]);

  return (
    <section className="card">
      <div className="card-header">
        <h2>{dlq ? 'Dead-letter records' : 'Messages'}</h2>
        <span className={`live-dot ${paused ? 'paused' : live ? 'on' : 'off'}`} />
        <span className="muted small">{paused ? 'paused' : live ? 'live · newest first' : 'connecting…'}</span>
        <div className="spacer" />
        <button className="secondary small" onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <ErrorBox error={error} />
      {messages.length === 0 ? (
        <p className="muted pad">{live ? 'No messages yet: new ones appear here as they arrive.' : ''}</p>
      ) : (
        <div className="table-scroll">
          <table className="messages" data-testid="messages">
            <thead>
              <tr>
                <th>Time</th>
                <th>Partition · offset</th>
                {dlq && <th>Rule</th>}
                {dlq && <th>Reason</th>}
                <th>Key</th>
                <th>Value</th>
                <th>Headers</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <tr key={`${m.partition}-${m.offset}`} className={firstBatch.current.has(`${m.partition}-${m.offset}`) ? undefined : 'arrived'}>
                  <td className="nowrap">{formatTime(m.timestamp)}</td>
                  <td className="nowrap mono">
                    {m.partition} · {m.offset}
                  </td>
                  {dlq && (
                    <td className="nowrap">
                      <span className="tag tag-rule">{header(m, '__rule.name') ?? '–'}</span>
                      <div className="muted small">{header(m, '__rule.subject')}</div>
                    </td>
                  )}
                  {dlq && <td className="reason">{header(m, '__rule.exception') ?? header(m, '__rule.reason') ?? '–'}</td>}
                  <td className="key">
                    <ValueView part={m.key} compact />
                  </td>
                  <td>
                    <FormatBadge part={m.value} />
                    <ValueView part={m.value} />
                  </td>
                  <td className="headers">
                    {m.headers.length === 0 ? (
                      <span className="muted">–</span>
                    ) : (
                      m.headers.map((h, i) => (
                        <div key={i} className={h.key.startsWith('__rule.') ? 'rule-header' : undefined}>
                          <span className="header-key">{h.key}</span> {h.value ?? 'null'}
                        </div>
                      ))
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
