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
 * The dev server's SQLite file in write-ahead-log mode: about twice the orders per second of
 * SQLite's default journal (the bench's floor workload), and still safe if the process dies.
 */
export const DEV_SERVER_SQLITE_ARGS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];
