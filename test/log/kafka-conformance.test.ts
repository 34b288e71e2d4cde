/**
 * The shared LogClient conformance suite (test/log/conformance.ts) against KafkaLogClient on a
 * real Apache Kafka 4.x broker, started once for this file.
 */
import { describe } from 'node:test';
import { KafkaLogClient } from '../../src/log/kafka/kafka-log-client.ts';
import { kafkaTestSkip, startKafkaBroker } from '../support/kafka-broker.ts';
import { runLogConformance } from './conformance.ts';

const skip = kafkaTestSkip('LogClient conformance on Kafka');
if (skip) {
  describe('LogClient conformance: kafka', { skip }, () => {});
} else {
  runLogConformance('kafka', async () => {
    const broker = await startKafkaBroker();
    const client = new KafkaLogClient({ bootstrap: broker.bootstrap, clientId: 'shiftleft-conformance' });
    return {
      client,
      close: async () => {
        await client.close();
        await broker.stop();
      },
    };
  });
}
