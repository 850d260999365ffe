import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
// A CommonJS module: Node's ESM loader sees only its default export.
import proto, { type temporal } from '@temporalio/proto';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/order/contract.js';

const INDEXED = proto.temporal.api.enums.v1.IndexedValueType;
const INDEXED_TYPE: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: INDEXED.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: INDEXED.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DATETIME]: INDEXED.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * Registers the order's search attributes on a server that does not take them at start
 * (the time-skipping server): an order is started with some of them set.
 */
export async function registerOrderSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(ORDER_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, INDEXED_TYPE[key.type]!])),
  });
}

/**
 * How we run the dev server (npm start, the bench, the engine's process tests):
 * - its SQLite file in write-ahead-log mode: about twice the orders per second of SQLite's
 *   default journal (the bench's floor workload), and still safe if the process dies;
 * - search attributes read from the server's cache, as a production server reads them. The
 *   CLI turns on `system.forceSearchAttributesCacheRefreshOnRead` so that its own tests see a
 *   search attribute the moment they add one; the server's default is off ("should not be
 *   turned on in production"). On, every start, upsert and visibility write re-reads the
 *   namespace's search attributes from SQLite: the bench measured 48 persistence requests per
 *   engine order with it on, 22 with it off (the floor's 20 and 13). Ours are all registered
 *   as the server starts (`--search-attribute`), before any order uses them.
 */
export const DEV_SERVER_ARGS = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=normal',
  '--dynamic-config-value',
  'system.forceSearchAttributesCacheRefreshOnRead=false',
];
