/**
 * The source DDL the Nexmark queries run on, as in Flink's Nexmark `ddl_gen.sql` and
 * `ddl_views.sql`, with one difference: `dateTime` is a physical column the generator fills
 * (the event's own time) instead of the computed
 *   CASE WHEN event_type = 0 THEN person.dateTime WHEN event_type = 1 THEN auction.dateTime
 *   ELSE bid.dateTime END
 * which holds the same value. The binder cannot put a watermark on a computed column that is
 * not a plain column reference yet; the source supports both shapes, so the published DDL works
 * unchanged once it can.
 */
export interface NexmarkDdlOptions {
  eventsNum: number;
  /** Events per second of event time (default 10 000, the Flink default). */
  rate?: number;
  seed?: number;
  table?: string;
}

export function nexmarkSourceDdl(options: NexmarkDdlOptions): string {
  const table = options.table ?? 'datagen';
  const rate = options.rate ?? 10_000;
  return `CREATE TABLE ${table} (
    event_type int,
    person ROW<
        id  BIGINT,
        name  VARCHAR,
        emailAddress  VARCHAR,
        creditCard  VARCHAR,
        city  VARCHAR,
        state  VARCHAR,
        \`dateTime\` TIMESTAMP(3),
        extra  VARCHAR>,
    auction ROW<
        id  BIGINT,
        itemName  VARCHAR,
        description  VARCHAR,
        initialBid  BIGINT,
        reserve  BIGINT,
        \`dateTime\`  TIMESTAMP(3),
        expires  TIMESTAMP(3),
        seller  BIGINT,
        category  BIGINT,
        extra  VARCHAR>,
    bid ROW<
        auction  BIGINT,
        bidder  BIGINT,
        price  BIGINT,
        channel  VARCHAR,
        url  VARCHAR,
        \`dateTime\`  TIMESTAMP(3),
        extra  VARCHAR>,
    \`dateTime\` TIMESTAMP(3),
    WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'first-event.rate' = '${rate}',
    'next-event.rate' = '${rate}',
    'events.num' = '${options.eventsNum}',
    'person.proportion' = '1',
    'auction.proportion' = '3',
    'bid.proportion' = '46'${options.seed !== undefined ? `,\n    'seed' = '${options.seed}'` : ''}
);`;
}

/** Flink's `ddl_views.sql`: the person, auction and bid views over the unified table. */
export function nexmarkViewsDdl(table = 'datagen'): string {
  return `CREATE VIEW person AS
SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city, person.state, \`dateTime\`, person.extra
FROM ${table} WHERE event_type = 0;

CREATE VIEW auction AS
SELECT auction.id, auction.itemName, auction.description, auction.initialBid, auction.reserve, \`dateTime\`, auction.expires, auction.seller, auction.category, auction.extra
FROM ${table} WHERE event_type = 1;

CREATE VIEW bid AS
SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, \`dateTime\`, bid.extra
FROM ${table} WHERE event_type = 2;`;
}
