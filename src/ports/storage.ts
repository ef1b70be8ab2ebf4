import type { InventoryRecord, StockMovement } from '../schemas/inventory.js';
import type { HistoryEntry, OrderRecord, OrderState } from '../schemas/order.js';
import type { PaymentRecord, PaymentState } from '../schemas/payment.js';
import type { ReturnRecord, ReturnState } from '../schemas/return.js';
import type { ShipmentRecord } from '../schemas/shipment.js';

/**
 * The storage port. Adapters do raw I/O only: ids, clocks, money rules and event shapes
 * are the core's work. Every adapter must pass `storageConformanceSuite` from
 * `orderflow/testing`.
 *
 * Concurrency contract:
 * - `update(record, expectedVersion)` writes only when the stored version equals
 *   `expectedVersion` and returns false otherwise (optimistic concurrency).
 * - `get(id, { forUpdate: true })` inside `transaction` holds the row until commit, so a
 *   read-check-write on money (refunds, captures, return quantities) is one locked step.
 *   An adapter that serializes write transactions (memory, SQLite `BEGIN IMMEDIATE`)
 *   satisfies this trivially.
 * - `transaction` commits everything `fn` wrote, or nothing when `fn` throws. A read
 *   after a lock must see rows committed before the lock was granted (READ COMMITTED on
 *   Postgres, its default; not REPEATABLE READ or SERIALIZABLE).
 */
export interface StorageAdapter extends Repositories {
  /** A short name for logs and health checks, e.g. `memory`, `sqlite`, `postgres`. */
  readonly name: string;
  /** Creates or upgrades the schema. Running it twice is a no-op. */
  migrate(): Promise<void>;
  /** Runs `fn` in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Releases what the adapter created (never a pool or database the user passed in). */
  close(): Promise<void>;
}

export interface Repositories {
  orders: OrderRepository;
  returns: ReturnRepository;
  payments: PaymentRepository;
  shipments: ShipmentRepository;
  inventory: InventoryRepository;
  history: HistoryRepository;
  outbox: OutboxRepository;
  idempotency: IdempotencyRepository;
  deadLetters: DeadLetterRepository;
  /**
   * Optional: writes what a command logs — history rows, stock movements, outbox events,
   * and the deletes of outbox rows already dispatched — together at the end of its
   * transaction, in as few round trips as the database allows (Postgres: one statement).
   * Without it, the core writes them table by table. The core calls it inside a
   * transaction only: a log whose versioned write misses throws, and the transaction's
   * rollback is what takes back the rest of it. With `reservations`, it answers what each
   * made of its stock record.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: stores written before reservations answer Promise<void>.
  appendLog?(log: CommandLog): Promise<LogResult | undefined | void>;
  providerEvents: ProviderEventRepository;
  /**
   * Optional: true when a read inside a transaction costs no round trip (an in-memory
   * store). The core then reads through every time instead of keeping its own copies of
   * the rows a command has locked.
   */
  readonly readsAreLocal?: boolean;
  /**
   * Optional: true when outbox rows already dispatched are best deleted by the next
   * command's transaction (`CommandLog.deletedOutbox`, or `outbox.delete` without
   * `appendLog`) rather than by a delete of their own — where every statement is a round
   * trip (Postgres) or every transaction has a cost of its own (memory). Without it, a
   * command returns once its dispatched rows are deleted.
   */
  readonly outboxDeletesInLog?: boolean;
  /**
   * Optional: true when `appendLog` writes the stock records a command changed
   * (`CommandLog.stock`) — the core then keeps a locked stock record's change until the end
   * of the command instead of sending it at once, so the lock is held for fewer round trips
   * (Postgres: the change goes in the log's one statement). Without it, each change is an
   * `inventory.update` of its own.
   */
  readonly stockWritesInLog?: boolean;
  /**
   * Optional: true when `appendLog` also writes orders and returns (`CommandLog.entities`):
   * the core then keeps a new order or return, and a change of one the command has locked,
   * until the end of the command (or until it reads or writes rows that could depend on
   * them), so the command sends fewer statements (Postgres: they go in the log's one
   * statement). Without it, each is an `insert` or `update` of its own.
   */
  readonly entityWritesInLog?: boolean;
  /**
   * Optional, with `entityWritesInLog`: true when `appendLog` also writes payments with their
   * refunds (`CommandLog.entities` of `entity: 'payment'`, each written like
   * `payments.insert(record)` or `payments.update(record, expectedVersion)`). The core then
   * keeps a new payment, and a change of one the command has locked, the same way.
   */
  readonly paymentWritesInLog?: boolean;
  /**
   * Optional: true when `appendLog` makes stock reservations (`CommandLog.reservations`)
   * itself, each under a check of what is available at that moment. The core then reads a
   * new order's stock without its lock and leaves the reservation to the log, so a
   * contended stock row is locked inside the log statement and held only until the commit.
   */
  readonly stockReservationsInLog?: boolean;
}

/**
 * Units of a SKU to reserve if, at the time the log is written, the record allows it
 * backorders or has `quantity` available (only when the repositories say
 * `stockReservationsInLog`).
 */
export interface StockReservation {
  sku: string;
  quantity: number;
  /** The record's new `updatedAt`. */
  at: string;
}

/** What `appendLog` answers. */
export interface LogResult {
  /**
   * Per reservation of the log, in its order: the stock record's levels after it, or
   * undefined where there was not enough available (nothing reserved; the caller fails
   * the command, whose rollback takes back the rest of the log).
   */
  reserved: (StockLevels | undefined)[];
}

/** A stock record's levels as a reservation left them. */
export interface StockLevels {
  onHand: number;
  reserved: number;
  allowBackorder: boolean;
  version: number;
}

/** What one command logs besides its entities, written at the end of its transaction. */
export interface CommandLog {
  history: readonly HistoryEntry[];
  movements: readonly StockMovement[];
  events: readonly OutboxRecord[];
  /**
   * Ids of outbox rows this process dispatched since its last command (only when the
   * repositories say `outboxDeletesInLog`): `appendLog` deletes them in the same
   * transaction (the storage conformance suite checks it).
   */
  deletedOutbox: readonly string[];
  /**
   * Stock records the command changed under their lock (only when the repositories say
   * `stockWritesInLog`): each written like `inventory.update(record, expectedVersion)`;
   * when one is not at its expected version, `appendLog` throws a ConcurrencyError and
   * writes nothing (the storage conformance suite checks it).
   */
  stock?: readonly StockWrite[];
  /** Stock reservations the log makes (only when the repositories say `stockReservationsInLog`). */
  reservations?: readonly StockReservation[];
  /**
   * New orders and returns (and payments, where the repositories say `paymentWritesInLog`),
   * and changes of ones the command locked (only when the repositories say
   * `entityWritesInLog`): each written like `insert(record)`, or like
   * `update(record, expectedVersion)` when `expectedVersion` is given; when one is not at its
   * expected version, `appendLog` throws a ConcurrencyError and writes nothing (the storage
   * conformance suite checks it).
   */
  entities?: readonly EntityWrite[];
}

/**
 * An order, return or payment to insert, or to update if its stored version is
 * `expectedVersion`; a payment with its refunds, as `payments.insert` / `update` write them.
 */
export type EntityWrite =
  | { entity: 'order'; record: OrderRecord; expectedVersion?: number }
  | { entity: 'return'; record: ReturnRecord; expectedVersion?: number }
  | { entity: 'payment'; record: PaymentRecord; expectedVersion?: number };

/** A stock record to write, if its stored version is still `expectedVersion`. */
export interface StockWrite {
  record: InventoryRecord;
  expectedVersion: number;
}

export interface GetOptions {
  /** Lock the row until the surrounding transaction ends. */
  forUpdate?: boolean;
}

/** Keyset pagination, newest first by (createdAt, id). */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}
export interface StoredPage<T> {
  data: T[];
  nextCursor: string | null;
}

export interface TimeFilter {
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  updatedBefore?: string | undefined;
  updatedAfter?: string | undefined;
}

export interface OrderQuery extends PageRequest, TimeFilter {
  state?: OrderState | undefined;
  customerId?: string | undefined;
}
export interface ReturnQuery extends PageRequest, TimeFilter {
  state?: ReturnState | undefined;
  orderId?: string | undefined;
}
export interface PaymentQuery extends PageRequest, TimeFilter {
  state?: PaymentState | undefined;
  orderId?: string | undefined;
}

export interface OrderRepository {
  get(id: string, options?: GetOptions): Promise<OrderRecord | undefined>;
  /** Inserts a new order; its id is new. */
  insert(order: OrderRecord): Promise<void>;
  update(order: OrderRecord, expectedVersion: number): Promise<boolean>;
  list(query: OrderQuery): Promise<StoredPage<OrderRecord>>;
}

export interface ReturnRepository {
  get(id: string, options?: GetOptions): Promise<ReturnRecord | undefined>;
  insert(ret: ReturnRecord): Promise<void>;
  update(ret: ReturnRecord, expectedVersion: number): Promise<boolean>;
  list(query: ReturnQuery): Promise<StoredPage<ReturnRecord>>;
  /** Every return of the order, oldest first. */
  listByOrder(orderId: string): Promise<ReturnRecord[]>;
}

export interface PaymentRepository {
  get(id: string, options?: GetOptions): Promise<PaymentRecord | undefined>;
  insert(payment: PaymentRecord): Promise<void>;
  /** Writes the payment and its refunds (new refunds inserted, known ones updated). */
  update(payment: PaymentRecord, expectedVersion: number): Promise<boolean>;
  list(query: PaymentQuery): Promise<StoredPage<PaymentRecord>>;
  /** Every payment of the order, oldest first. */
  listByOrder(orderId: string): Promise<PaymentRecord[]>;
  /** Payments of many orders at once (for derived order totals on list pages). */
  listByOrders(orderIds: readonly string[]): Promise<PaymentRecord[]>;
  /**
   * Payments with work in flight at the provider, last touched before `before`: state
   * `pending`, a `pendingCapture` or `pendingVoid`, or a refund in state `pending`. The
   * `limit` least recently updated first. Used by the sweep.
   */
  listUnsettled(before: string, limit: number): Promise<PaymentRecord[]>;
  /** The id of the payment with this `providerReference`, if any (for provider events). */
  findIdByProviderReference(providerReference: string): Promise<string | undefined>;
}

export interface ShipmentRepository {
  get(id: string, options?: GetOptions): Promise<ShipmentRecord | undefined>;
  insert(shipment: ShipmentRecord): Promise<void>;
  update(shipment: ShipmentRecord, expectedVersion: number): Promise<boolean>;
  /** Every shipment of the order, oldest first. */
  listByOrder(orderId: string): Promise<ShipmentRecord[]>;
  /** Shipments of many orders at once (for derived fulfilment on list pages), oldest first. */
  listByOrders(orderIds: readonly string[]): Promise<ShipmentRecord[]>;
}

export interface InventoryQuery extends PageRequest {
  /** Only SKUs whose `onHand − reserved` is below this. */
  belowAvailable?: number | undefined;
}

/**
 * Stock per SKU and its ledger. Every change of a stock record is written together with
 * its movements, in the command's transaction; a read with `forUpdate` holds the record
 * until commit (serializing reservations of one SKU).
 */
export interface InventoryRepository {
  get(sku: string, options?: GetOptions): Promise<InventoryRecord | undefined>;
  /**
   * Optional: the records of `skus` that exist, in ascending SKU order, each locked (with
   * `forUpdate`) in that order — one round trip instead of one `get` per SKU. Without it,
   * the core calls `get` for each SKU in SKU order.
   */
  getMany?(skus: readonly string[], options?: GetOptions): Promise<InventoryRecord[]>;
  /** Inserts a new stock record; its SKU is not tracked yet. */
  insert(record: InventoryRecord): Promise<void>;
  update(record: InventoryRecord, expectedVersion: number): Promise<boolean>;
  /** SKUs in ascending order, keyset-paginated by SKU. */
  list(query: InventoryQuery): Promise<StoredPage<InventoryRecord>>;
  appendMovements(movements: readonly StockMovement[]): Promise<void>;
  /** A SKU's movements, newest first by (at, id). */
  movements(sku: string, page: PageRequest): Promise<StoredPage<StockMovement>>;
  /** Per SKU, the units the order holds reserved: the sum of its movements' `reservedDelta`. */
  reservedForOrder(orderId: string): Promise<Map<string, number>>;
}

export interface HistoryRepository {
  append(entry: HistoryEntry): Promise<void>;
  /** The entity's entries in the order they were written. */
  list(entity: HistoryEntry['entity'], entityId: string): Promise<HistoryEntry[]>;
}

/** A domain event written in the command's transaction and dispatched after commit. */
export interface OutboxRecord {
  id: string;
  name: string;
  payload: unknown;
  createdAt: string;
  /** Dispatchers other than the writer may claim the row from this time on. */
  availableAt: string;
  attempts: number;
}

export interface OutboxRepository {
  insert(records: readonly OutboxRecord[]): Promise<void>;
  /**
   * Claims up to `limit` rows whose `availableAt` ≤ `now`, oldest first, by moving their
   * `availableAt` to `leaseUntil` and counting an attempt. Two dispatchers never claim
   * the same row at the same time (Postgres: `FOR UPDATE SKIP LOCKED`).
   */
  claim(now: string, leaseUntil: string, limit: number): Promise<OutboxRecord[]>;
  /** Removes dispatched rows. */
  delete(ids: readonly string[]): Promise<void>;
  /** Number of rows waiting, for health checks and tests. */
  count(): Promise<number>;
}

export interface IdempotencyRecord {
  /** The operation the key belongs to, e.g. `orders.create`: keys are scoped per operation. */
  scope: string;
  key: string;
  /** Hash of the request input: the same key with other input is a conflict. */
  fingerprint: string;
  status: 'in_flight' | 'completed';
  /** The stored result to replay (`{ result }` or `{ error }`). */
  response?: unknown;
  /** An in-flight claim older than this is abandoned (its process died) and may be taken over. */
  lockedUntil: string;
  createdAt: string;
  expiresAt: string;
}

export interface IdempotencyRepository {
  /** Inserts the record unless (scope, key) exists; returns the existing record if it does. */
  claim(record: IdempotencyRecord): Promise<IdempotencyRecord | undefined>;
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Re-claims an abandoned in-flight record: succeeds only if its `lockedUntil` is still
   * `previousLockedUntil` (nobody else took it over first).
   */
  takeOver(
    scope: string,
    key: string,
    previousLockedUntil: string,
    lockedUntil: string,
  ): Promise<boolean>;
  complete(scope: string, key: string, response: unknown): Promise<void>;
  /**
   * Forgets an in-flight claim whose command wrote nothing, so a retry can run. With
   * `lockedUntil`, only the claim holding that lease is removed (never one another request
   * took over after the lease ran out).
   */
  release(scope: string, key: string, lockedUntil?: string): Promise<void>;
  /** Deletes records whose `expiresAt` is before `now`; returns how many. */
  purgeExpired(now: string): Promise<number>;
}

/**
 * Work the job runner gave up on: written by the core after a job's last attempt failed,
 * so an operator can see it (and replay it by hand) instead of it vanishing from a log.
 */
export interface DeadLetterRecord {
  /** Stable per piece of work, e.g. `notify:<event id>`: recording it twice keeps one row. */
  id: string;
  /** The job name, e.g. `orderflow.notify`. */
  job: string;
  /** The job's id at the runner. */
  jobId: string;
  /** What the job was handed (JSON). */
  payload: unknown;
  /** The last attempt's error message. */
  error: string;
  /** How many runs were made before giving up. */
  attempts: number;
  createdAt: string;
}

export interface DeadLetterRepository {
  /** Inserts the record unless one with its `id` exists (then does nothing). */
  insert(record: DeadLetterRecord): Promise<void>;
  /** Newest first by (createdAt, id), keyset-paginated. */
  list(query: PageRequest): Promise<StoredPage<DeadLetterRecord>>;
}

/** A provider event as received, with what was done with it. */
export interface ProviderEventRecord {
  /** The provider's event id. */
  id: string;
  type: string;
  providerReference: string;
  /** The payment the event was matched to, if any. */
  paymentId?: string | undefined;
  status: 'applied' | 'ignored';
  /** Why it was ignored, e.g. `unknown_payment`. */
  reason?: string | undefined;
  /** The event as given (JSON). */
  payload: unknown;
  receivedAt: string;
}

/**
 * Every provider event received, by its id: written in the transaction that applies it,
 * so an event is applied at most once however often (or however concurrently) it arrives.
 */
export interface ProviderEventRepository {
  /**
   * Inserts the record unless one with its `id` exists; returns false then (and writes
   * nothing). Two transactions inserting one id: the second waits for the first and gets false.
   */
  insert(record: ProviderEventRecord): Promise<boolean>;
  get(id: string): Promise<ProviderEventRecord | undefined>;
}
