/** The Nexmark benchmark's event generator (persons, auctions, bids). */
export { parseNexmarkOptions, DEFAULT_CONFIG, DEFAULT_BASE_TIME, type NexmarkConfig } from './config.ts';
export { NexmarkGenerator, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID } from './generator.ts';
export { EventType, PERSON_FIELDS, AUCTION_FIELDS, BID_FIELDS, P, A, B, type PersonRow, type AuctionRow, type BidRow, type NexmarkEvent } from './model.ts';
export { generateEvents } from './events.ts';
export { nexmarkSourceDdl, nexmarkViewsDdl, type NexmarkDdlOptions } from './ddl.ts';
