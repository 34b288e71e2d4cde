/**
 * Bootstrap lists, `host:port[,host:port...]`: parsed on their own so that checking the log
 * settings (src/log/open-log.ts, at every CLI start) does not load the Kafka client.
 */
import { ShiftleftError } from '../../common/errors.ts';

export interface BootstrapBroker {
  host: string;
  port: number;
}

export function parseBootstrap(bootstrap: string | string[]): BootstrapBroker[] {
  const list = (Array.isArray(bootstrap) ? bootstrap : bootstrap.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new ShiftleftError('INVALID_CONFIG', 'no Kafka bootstrap broker given', { hint: 'pass host:port, e.g. 127.0.0.1:9092' });
  return list.map((entry) => {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new ShiftleftError('INVALID_CONFIG', `invalid Kafka bootstrap address '${entry}'`, { hint: 'use host:port, e.g. 127.0.0.1:9092' });
    }
    return { host: m[1]!, port: Number(m[2]) };
  });
}
