/**
 * The shared LogClient conformance suite (test/log/conformance.ts) against HttpLogClient talking
 * to a real platform (`startPlatform` on a temporary data directory, free ports): the log over
 * HTTP must behave exactly as the embedded log it fronts, error codes included.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpLogClient } from '../../src/log/http/http-log-client.ts';
import { startPlatform } from '../../src/platform.ts';
import { runLogConformance } from './conformance.ts';

runLogConformance('http', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shiftleft-http-log-'));
  const platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0 });
  const client = await HttpLogClient.connect(platform.urls.platform);
  return {
    client,
    close: async () => {
      await client.close();
      await platform.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
