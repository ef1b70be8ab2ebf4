import { cloneJson } from '../domain/clone-json.js';
import type {
  EntityWrite,
  GetOptions,
  InventoryQuery,
  InventoryRepository,
  OrderQuery,
  OrderRepository,
  PageRequest,
  PaymentQuery,
  PaymentRepository,
  Repositories,
  ReturnQuery,
  ReturnRepository,
  ShipmentRepository,
} from '../ports/storage.js';
import type { InventoryRecord, StockMovement } from '../schemas/inventory.js';
import type { OrderRecord } from '../schemas/order.js';
import type { PaymentRecord } from '../schemas/payment.js';
import type { ReturnRecord } from '../schemas/return.js';
import type { ShipmentRecord } from '../schemas/shipment.js';
import { assertWritten } from './transition.js';

/**
 * The repositories of one transaction, answering repeated reads from what the transaction
 * already read or wrote:
 *
 * - **A locked order or return** (read `forUpdate`, inserted or updated): no other
 *   transaction can change it until this one ends.
 * - **The shipment list of a locked order**: every shipment write holds its order's lock
 *   (SQLite and memory: one writer at a time). The transaction's own shipment writes are
 *   applied to the cached list, or drop it.
 * - **An order's payment list**, until the transaction takes a lock it did not hold or
 *   writes a payment. Payments change under their own row lock, not the order's, so a
 *   later read may see another transaction's commit; but nothing orders this transaction
 *   after that commit unless it waited for a lock in between, so answering with the
 *   earlier read is what the later one could have returned. A read after a new lock must
 *   see what the lock holder committed (see the storage port): every locking read the
 *   cache cannot answer, every write of a payment, and every write of an order or return
 *   the transaction had not locked drops the lists.
 *
 * Everything else reads through. Callers get copies, so they may change what they read.
 * Built once per transaction, so the wrappers are classes (no closures per transaction).
 */
export function withReadCache(
  tx: Repositories,
  options: {
    /** Writes the command's pending stock changes (see `UnitOfWork`). */
    beforeStockRead?: (() => Promise<void>) | undefined;
    /** Keep orders and returns for the log (see `PendingEntities`). */
    defersEntities?: boolean;
    /** With `defersEntities`: keep payments too. */
    defersPayments?: boolean;
  } = {},
): CachedRepositories {
  const keeps = options.defersEntities === true;
  return new CachedRepositories(
    tx,
    options.beforeStockRead,
    keeps,
    keeps && options.defersPayments === true,
  );
}

// Records are JSON-shaped: a plain deep copy, several times cheaper than structuredClone.
const copy = cloneJson;

/**
 * New orders, returns and payments, and changes of ones the transaction locked, kept to be
 * written with the command's log where the store can (`entityWritesInLog`): a command then
 * sends no statement of its own for them. Reads of a kept order or return are answered from
 * the locked rows. Before anything that could depend on them reaches the database — a list
 * of orders or returns, a read of payments while a payment is kept, a payment or shipment
 * written at once (their rows refer to the order), an order or return written at once — they
 * are written first, and so they are before a stock row is locked (a contended stock row is
 * then held for the log and the commit only, as without them). A read of another order or
 * return, and reads of shipments, cannot see them, so those go ahead.
 */
class PendingEntities {
  readonly writes = new Map<string, EntityWrite>();

  constructor(
    private readonly tx: Repositories,
    /** Whether payments are kept too (`paymentWritesInLog`). */
    readonly keepsPayments: boolean,
  ) {}

  /**
   * Keeps `record` as the next state of a kept or locked row whose stored (or kept) version
   * is `held`; false when the write has to be made at once.
   */
  keep(
    entity: EntityWrite['entity'],
    record: OrderRecord | ReturnRecord | PaymentRecord,
    held?: number,
  ): boolean {
    const key = `${entity}:${record.id}`;
    const earlier = this.writes.get(key);
    if (earlier) {
      // A second change of a kept row: one write, from the version the database holds.
      if (earlier.record.version !== held) return false;
      this.writes.set(key, { ...earlier, record } as EntityWrite);
      return true;
    }
    this.writes.set(
      key,
      (held === undefined
        ? { entity, record }
        : { entity, record, expectedVersion: held }) as EntityWrite,
    );
    return true;
  }

  /** The kept writes, handed to the log (which writes them or fails the command). */
  take(): EntityWrite[] {
    const writes = [...this.writes.values()];
    this.writes.clear();
    return writes;
  }

  /** True while payment `id` (any payment, without one) is kept. */
  holdsPayment(id?: string): boolean {
    if (id !== undefined) return this.writes.has(`payment:${id}`);
    for (const write of this.writes.values()) if (write.entity === 'payment') return true;
    return false;
  }

  /** Writes what is kept, now (in the order kept: a payment after its new order). */
  async flush(): Promise<void> {
    if (this.writes.size === 0) return;
    for (const write of this.take()) {
      const rows = this.tx[ROWS[write.entity]] as LockableRows<typeof write.record>;
      if (write.expectedVersion === undefined) await rows.insert(write.record);
      else {
        const written = await rows.update(write.record, write.expectedVersion);
        assertWritten(written, write.entity, write.record.id);
      }
    }
  }
}

/** The repository of each entity kept for the log. */
const ROWS = { order: 'orders', return: 'returns', payment: 'payments' } as const;

/** What the transaction read or wrote, shared by its repositories. */
class Reads {
  /** Set where orders and returns (and maybe payments) are written with the log. */
  pending: PendingEntities | undefined;

  /** The flush under way: a statement started meanwhile waits for it too. */
  private flushing: Promise<void> | undefined;

  /** Writes what is kept before a statement that could depend on it. */
  async settle(): Promise<void> {
    while (this.flushing || (this.pending && this.pending.writes.size > 0)) {
      this.flushing ??= this.pending!.flush().finally(() => {
        this.flushing = undefined;
      });
      await this.flushing;
    }
  }

  readonly orders = new Map<string, OrderRecord>();
  readonly returns = new Map<string, ReturnRecord>();
  readonly shipments = new Map<string, ShipmentRecord[]>();
  readonly payments = new Map<string, PaymentRecord[]>();
  /** Versions of the payments the transaction locked (read `forUpdate`, inserted or updated). */
  readonly lockedPayments = new Map<string, number>();

  /**
   * Writes what is kept before a read that could see a kept payment: any read of payments
   * but one by the id of another.
   */
  async beforePaymentRead(id?: string): Promise<void> {
    if (this.flushing || this.pending?.holdsPayment(id)) await this.settle();
  }

  /** The transaction may have waited for another's commit: payment lists read again. */
  mayHaveWaited(): void {
    if (this.payments.size > 0) this.payments.clear();
  }

  locking(options: GetOptions | undefined): void {
    if (options?.forUpdate) this.mayHaveWaited();
  }
}

export class CachedRepositories implements Repositories {
  private readonly _reads = new Reads();
  private _orders: OrderRepository | undefined;
  private _returns: ReturnRepository | undefined;
  private _shipments: ShipmentRepository | undefined;
  private _payments: PaymentRepository | undefined;
  private _inventory: InventoryRepository | undefined;

  /** `beforeStockRead`: writes the command's pending stock changes (see `UnitOfWork`). */
  constructor(
    private readonly tx: Repositories,
    private readonly beforeStockRead: (() => Promise<void>) | undefined,
    defersEntities: boolean,
    defersPayments: boolean,
  ) {
    if (defersEntities) this._reads.pending = new PendingEntities(tx, defersPayments);
  }

  /** The orders, returns and payments kept for the log, handed over (none are kept after). */
  takeEntityWrites(): EntityWrite[] {
    return this._reads.pending?.take() ?? [];
  }

  // Each wrapper is made on first use: most commands touch a few repositories.
  get orders() {
    this._orders ??= new CachedOrders(this.tx.orders, this._reads);
    return this._orders;
  }
  get returns() {
    this._returns ??= new CachedReturns(this.tx.returns, this._reads);
    return this._returns;
  }
  get shipments() {
    this._shipments ??= new CachedShipments(this.tx.shipments, this._reads);
    return this._shipments;
  }
  get payments() {
    this._payments ??= new CachedPayments(this.tx.payments, this._reads);
    return this._payments;
  }
  get inventory() {
    this._inventory ??= new LockingInventory(this.tx.inventory, this._reads, this.beforeStockRead);
    return this._inventory;
  }
  get history() {
    return this.tx.history;
  }
  get outbox() {
    return this.tx.outbox;
  }
  get idempotency() {
    return this.tx.idempotency;
  }
  get deadLetters() {
    return this.tx.deadLetters;
  }
  get providerEvents() {
    return this.tx.providerEvents;
  }
  get readsAreLocal() {
    return this.tx.readsAreLocal;
  }
  get outboxDeletesInLog() {
    return this.tx.outboxDeletesInLog;
  }
  get stockWritesInLog() {
    return this.tx.stockWritesInLog;
  }
  get entityWritesInLog() {
    return this.tx.entityWritesInLog;
  }
  get paymentWritesInLog() {
    return this.tx.paymentWritesInLog;
  }
  get stockReservationsInLog() {
    return this.tx.stockReservationsInLog;
  }
  get appendLog(): Repositories['appendLog'] {
    const { tx } = this;
    return tx.appendLog && ((log) => tx.appendLog!(log));
  }
}

/** The reads and writes of a versioned table whose rows a transaction locks by reading them. */
interface LockableRows<R extends { id: string }> {
  get(id: string, options?: GetOptions): Promise<R | undefined>;
  insert(row: R): Promise<void>;
  update(row: R, expectedVersion: number): Promise<boolean>;
}

/**
 * Rows the transaction locked (read `forUpdate`), inserted or updated, answered from
 * `locked` from then on; orders and returns.
 */
class LockedRows<R extends OrderRecord | ReturnRecord> implements LockableRows<R> {
  constructor(
    private readonly rows: LockableRows<R>,
    private readonly locked: Map<string, R>,
    protected readonly reads: Reads,
    private readonly entity: EntityWrite['entity'],
  ) {}

  async get(id: string, options?: GetOptions) {
    const cached = this.locked.get(id);
    if (cached) return copy(cached);
    this.reads.locking(options);
    const record = await this.rows.get(id, options);
    if (record && options?.forUpdate) this.locked.set(id, copy(record));
    return record;
  }
  async insert(row: R) {
    const kept = copy(row);
    if (!this.reads.pending?.keep(this.entity, kept)) {
      await this.reads.settle();
      await this.rows.insert(row);
    }
    this.locked.set(row.id, kept);
  }
  async update(row: R, expectedVersion: number) {
    const held = this.locked.get(row.id);
    if (held?.version === expectedVersion && this.reads.pending) {
      const kept = copy(row);
      if (this.reads.pending.keep(this.entity, kept, expectedVersion)) {
        this.locked.set(row.id, kept);
        return true;
      }
    }
    if (!held) this.reads.mayHaveWaited();
    await this.reads.settle();
    const written = await this.rows.update(row, expectedVersion);
    if (written) this.locked.set(row.id, copy(row));
    else this.locked.delete(row.id);
    return written;
  }
}

class CachedOrders extends LockedRows<OrderRecord> implements OrderRepository {
  constructor(
    private readonly inner: OrderRepository,
    reads: Reads,
  ) {
    super(inner, reads.orders, reads, 'order');
  }

  /**
   * A locked pending order's shipment list is known without a read: shipments are made for
   * confirmed or processing orders only, and no order goes back to pending.
   */
  override async get(id: string, options?: GetOptions) {
    const record = await super.get(id, options);
    if (record?.state === 'pending' && options?.forUpdate && !this.reads.shipments.has(id)) {
      this.reads.shipments.set(id, []);
    }
    return record;
  }

  async list(query: OrderQuery) {
    await this.reads.settle();
    return this.inner.list(query);
  }
}

class CachedReturns extends LockedRows<ReturnRecord> implements ReturnRepository {
  constructor(
    private readonly inner: ReturnRepository,
    reads: Reads,
  ) {
    super(inner, reads.returns, reads, 'return');
  }

  async list(query: ReturnQuery) {
    await this.reads.settle();
    return this.inner.list(query);
  }
  async listByOrder(orderId: string) {
    await this.reads.settle();
    return this.inner.listByOrder(orderId);
  }
}

class CachedShipments implements ShipmentRepository {
  constructor(
    private readonly inner: ShipmentRepository,
    private readonly reads: Reads,
  ) {}

  async listByOrder(orderId: string) {
    const cached = this.reads.shipments.get(orderId);
    if (cached) return copy(cached);
    const list = await this.inner.listByOrder(orderId);
    if (this.reads.orders.has(orderId)) this.reads.shipments.set(orderId, copy(list));
    return list;
  }
  async insert(shipment: ShipmentRecord) {
    await this.reads.settle();
    await this.inner.insert(shipment);
    // The list is oldest first by (createdAt, id): a shipment newer than every cached one
    // goes last, as a read would place it; a tie is left to the database's ordering.
    const cached = this.reads.shipments.get(shipment.orderId);
    if (cached?.every((s) => s.createdAt < shipment.createdAt)) cached.push(copy(shipment));
    else this.reads.shipments.delete(shipment.orderId);
  }
  async update(shipment: ShipmentRecord, expectedVersion: number) {
    await this.reads.settle();
    const written = await this.inner.update(shipment, expectedVersion);
    // The cached list takes what was written, as a read would return it now.
    const cached = this.reads.shipments.get(shipment.orderId);
    const at = cached?.findIndex((s) => s.id === shipment.id) ?? -1;
    if (written && cached && at >= 0) cached[at] = copy(shipment);
    else this.reads.shipments.delete(shipment.orderId);
    return written;
  }
  get(id: string, options?: GetOptions) {
    this.reads.locking(options);
    return this.inner.get(id, options);
  }
  listByOrders(orderIds: readonly string[]) {
    return this.inner.listByOrders(orderIds);
  }
}

class CachedPayments implements PaymentRepository {
  constructor(
    private readonly inner: PaymentRepository,
    private readonly reads: Reads,
  ) {}

  async listByOrder(orderId: string) {
    const cached = this.reads.payments.get(orderId);
    if (cached) return copy(cached);
    await this.reads.beforePaymentRead();
    const list = await this.inner.listByOrder(orderId);
    this.reads.payments.set(orderId, copy(list));
    return list;
  }
  async get(id: string, options?: GetOptions) {
    await this.reads.beforePaymentRead(id);
    this.reads.locking(options);
    const record = await this.inner.get(id, options);
    if (record && options?.forUpdate) this.reads.lockedPayments.set(id, record.version);
    return record;
  }
  async insert(payment: PaymentRecord) {
    this.reads.mayHaveWaited();
    const { pending } = this.reads;
    if (!pending?.keepsPayments || !pending.keep('payment', copy(payment))) {
      await this.reads.settle();
      await this.inner.insert(payment);
    }
    this.reads.lockedPayments.set(payment.id, payment.version);
  }
  async update(payment: PaymentRecord, expectedVersion: number) {
    this.reads.mayHaveWaited();
    const { lockedPayments, pending } = this.reads;
    // Kept only when the transaction holds the row's lock at that version.
    const kept =
      pending?.keepsPayments === true &&
      lockedPayments.get(payment.id) === expectedVersion &&
      pending.keep('payment', copy(payment), expectedVersion);
    if (!kept) {
      await this.reads.settle();
      if (!(await this.inner.update(payment, expectedVersion))) {
        lockedPayments.delete(payment.id);
        return false;
      }
    }
    lockedPayments.set(payment.id, payment.version);
    return true;
  }
  async list(query: PaymentQuery) {
    await this.reads.beforePaymentRead();
    return this.inner.list(query);
  }
  async listByOrders(orderIds: readonly string[]) {
    await this.reads.beforePaymentRead();
    return this.inner.listByOrders(orderIds);
  }
  async listUnsettled(before: string, limit: number) {
    await this.reads.beforePaymentRead();
    return this.inner.listUnsettled(before, limit);
  }
  async findIdByProviderReference(providerReference: string) {
    await this.reads.beforePaymentRead();
    return this.inner.findIdByProviderReference(providerReference);
  }
}

/**
 * Stock reads through, after the command's pending stock changes are written; its locking
 * reads drop the payment lists.
 */
class LockingInventory implements InventoryRepository {
  readonly getMany?: (skus: readonly string[], options?: GetOptions) => Promise<InventoryRecord[]>;

  constructor(
    private readonly inner: InventoryRepository,
    private readonly reads: Reads,
    private readonly beforeRead?: () => Promise<void>,
  ) {
    if (inner.getMany) {
      this.getMany = async (skus, options) => {
        await this.beforeLockedRead(options);
        this.reads.locking(options);
        return inner.getMany!(skus, options);
      };
    }
  }

  /**
   * Pending stock changes are written before any stock read; kept writes before
   * a stock lock is taken, so a contended stock row is held for as little as possible.
   */
  private async beforeLockedRead(options: GetOptions | undefined): Promise<void> {
    await this.beforeRead?.();
    if (options?.forUpdate) await this.reads.settle();
  }

  async get(sku: string, options?: GetOptions) {
    await this.beforeLockedRead(options);
    this.reads.locking(options);
    return this.inner.get(sku, options);
  }
  insert(record: InventoryRecord) {
    return this.inner.insert(record);
  }
  update(record: InventoryRecord, expectedVersion: number) {
    return this.inner.update(record, expectedVersion);
  }
  list(query: InventoryQuery) {
    return this.inner.list(query);
  }
  appendMovements(movements: readonly StockMovement[]) {
    return this.inner.appendMovements(movements);
  }
  movements(sku: string, page: PageRequest) {
    return this.inner.movements(sku, page);
  }
  reservedForOrder(orderId: string) {
    return this.inner.reservedForOrder(orderId);
  }
}
