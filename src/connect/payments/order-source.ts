/**
 * Where the payments service finds order ids that exist in the commerce database, so the
 * walkthrough's `sales` join (payments ⋈ orders) finds its orders: the generator's recent
 * orders when it runs in this process, or a query of the database otherwise.
 */
import pg from 'pg';
import { ShiftleftError } from '../../common/errors.ts';
import { queryRecentOrders, type CommerceGenerator } from '../commerce/commerce-generator.ts';

export interface OrderSource {
  /** Ids of recent orders, ascending. */
  recentOrderIds(limit: number): Promise<number[]>;
  close(): Promise<void>;
}

export function generatorOrders(generator: Pick<CommerceGenerator, 'recentOrders'>): OrderSource {
  return {
    recentOrderIds: async (limit) => generator.recentOrders(limit).map((order) => order.orderid),
    close: async () => undefined,
  };
}

/** Queries `orders` over one connection (opened on first use). */
export function databaseOrders(connectionString: string): OrderSource {
  let client: Promise<pg.Client> | undefined;
  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString, application_name: 'shiftleft-payments' });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  return {
    async recentOrderIds(limit) {
      client ??= connect();
      try {
        return (await queryRecentOrders(await client, limit)).map((order) => order.orderid);
      } catch (error) {
        // A broken connection is reopened on the next call.
        if ((error as { code?: string }).code === '42P01') {
          // The connection is fine; the commerce tables are not there (yet).
          throw new ShiftleftError('SOURCE_MISCONFIGURED', `the database has no orders table: ${(error as Error).message}`, {
            hint: 'payments pay orders of the commerce database: start it first (shiftleft source postgres start)',
            cause: error,
          });
        }
        const broken = client;
        client = undefined;
        await (await broken.catch(() => undefined))?.end().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      const open = client;
      client = undefined;
      await (await open?.catch(() => undefined))?.end().catch(() => undefined);
    },
  };
}
