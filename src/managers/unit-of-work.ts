import { newId } from '../domain/ids.js';
import type { OrderflowEventMap, OrderflowEventName } from '../events/event-map.js';
import type {
  CommandLog,
  OutboxRecord,
  Repositories,
  StockLevels,
  StockReservation,
  StockWrite,
} from '../ports/storage.js';
import type { InventoryRecord, StockMovement } from '../schemas/inventory.js';
import type { HistoryEntry, Order, OrderRecord } from '../schemas/order.js';
import type { Payment } from '../schemas/payment.js';
import type { Return } from '../schemas/return.js';
import type { Shipment } from '../schemas/shipment.js';
import { type CachedRepositories, withReadCache } from './read-cache.js';
import type { SystemContext } from './system-context.js';
import { assertWritten } from './transition.js';

/** What a step does with the levels its reservation left (undefined: stock was short). */
export type ReservationSettler = (levels: StockLevels | undefined) => Promise<void> | void;

/** A reservation left to the log, and what its step does with the answer. */
interface PendingReservation {
  reservation: StockReservation;
  settle: ReservationSettler;
}

/** The entity each `*.state_changed` event carries. */
interface StateChangedEntity {
  order: Order;
  return: Return;
  payment: Payment;
  shipment: Shipment;
}

/**
 * What one command writes in its transaction besides the entity: history rows and outbox
 * events. Events are written to the outbox in the same transaction, and handed to the
 * dispatcher only after commit — a rolled-back command emits nothing.
 */
export class UnitOfWork {
  readonly events: OutboxRecord[] = [];
  /** History rows, written with the events when the command's work is done. */
  readonly historyRows: HistoryEntry[] = [];
  /**
   * Stock movements not written yet: they go with the history and events at the end, or
   * earlier when a step reads the ledger back (`flushMovements`).
   */
  movements: StockMovement[] = [];
  /** The command's time, the same for every row it writes. */
  readonly now: string;
  /**
   * Orders as callers see them, by the record a move just wrote: a step that moved the
   * order answers with what the move presented instead of reading payments and shipments
   * again (see `moveOrder`).
   */
  get presented(): Map<OrderRecord, Order> {
    this.#presented ??= new Map();
    return this.#presented;
  }
  #presented: Map<OrderRecord, Order> | undefined;

  /**
   * The transaction's repositories; repeated reads of a locked order come from memory
   * (unless the store's reads are local anyway).
   */
  readonly tx: Repositories;

  /**
   * Stock records changed under their lock and not written yet, where the store writes them
   * with the log (`stockWritesInLog`): the lock is then held for fewer round trips. Every
   * read of stock in the command writes them first (through the read cache), so nothing
   * reads a record older than its own change.
   */
  readonly #stockWrites = new Map<string, StockWrite>();
  readonly #defersStock: boolean;
  /** Reservations left to the log, with what each step does with the answer. */
  readonly #reservations: PendingReservation[] = [];
  /**
   * Whether a new order's stock is reserved by the log (`stockReservationsInLog`): read
   * without its lock, then reserved under a check of what is available when the log
   * statement locks the row.
   */
  readonly reservesInLog: boolean;
  /** The read cache, where the store keeps orders, returns (and payments) for the log. */
  readonly #entityWrites: CachedRepositories | undefined;

  constructor(
    tx: Repositories,
    private readonly ctx: SystemContext,
  ) {
    this.#defersStock = tx.stockWritesInLog === true && !tx.readsAreLocal;
    this.reservesInLog =
      tx.stockReservationsInLog === true && tx.appendLog !== undefined && !tx.readsAreLocal;
    if (tx.readsAreLocal) this.tx = tx;
    else {
      const defersEntities = tx.entityWritesInLog === true && tx.appendLog !== undefined;
      const cached = withReadCache(tx, {
        beforeStockRead:
          this.#defersStock || this.reservesInLog ? () => this.flushStock() : undefined,
        defersEntities,
        defersPayments: tx.paymentWritesInLog === true,
      });
      this.tx = cached;
      if (defersEntities) this.#entityWrites = cached;
    }
    this.now = new Date(ctx.clock.now()).toISOString();
  }

  /** The system's business settings, for steps that depend on them. */
  get config(): SystemContext['config'] {
    return this.ctx.config;
  }

  emit<N extends OrderflowEventName>(name: N, payload: OrderflowEventMap[N]): void {
    this.events.push({
      id: newId('event'),
      name,
      payload,
      createdAt: this.now,
      // The committing process dispatches inline; others may claim the row after the lease.
      availableAt: new Date(this.ctx.clock.now() + this.ctx.outboxLeaseMs).toISOString(),
      attempts: 0,
    });
  }

  /**
   * Records a state change of an order, return, payment or shipment: its history row and its
   * `<kind>.state_changed` event (carrying the entity as stored after the change).
   */
  async stateChanged<K extends keyof StateChangedEntity>(
    kind: K,
    change: {
      id: string;
      from: string;
      to: string;
      event: string;
      actor?: string | undefined;
      reason?: string | undefined;
    },
    entity: StateChangedEntity[K],
  ): Promise<void> {
    const { id, from, to, event, actor, reason } = change;
    await this.history({ entity: kind, entityId: id, from, to, event, actor, reason });
    const payload = {
      id,
      from,
      to,
      event,
      at: this.now,
      ...(actor ? { actor } : {}),
      ...(reason ? { reason } : {}),
      entity,
    };
    this.emit(`${kind}.state_changed`, payload as never);
  }

  async history(entry: Omit<HistoryEntry, 'at'>): Promise<void> {
    const row: HistoryEntry = {
      entity: entry.entity,
      entityId: entry.entityId,
      from: entry.from,
      to: entry.to,
      event: entry.event,
      at: this.now,
    };
    if (entry.actor !== undefined) row.actor = entry.actor;
    if (entry.reason !== undefined) row.reason = entry.reason;
    // Written at the end of the transaction with the events (see `writeLog`): nothing in a
    // command reads its own history back.
    this.historyRows.push(row);
  }

  /**
   * Writes a stock record the command changed under its lock: at once, or with the log
   * where the store can (see `#stockWrites`).
   */
  async writeStock(record: InventoryRecord, expectedVersion: number): Promise<void> {
    if (!this.#defersStock) {
      assertWritten(
        await this.tx.inventory.update(record, expectedVersion),
        'inventory',
        record.sku,
      );
      return;
    }
    // Every change follows a locked read of its record, and that read wrote what was
    // pending: at most one change per SKU waits here.
    this.#stockWrites.set(record.sku, { record, expectedVersion });
  }

  /**
   * Leaves a stock reservation to the log (where `reservesInLog`): `settle` gets the levels
   * it left, or undefined when the stock was short by then (and then throws, failing the
   * command).
   */
  reserveInLog(reservation: StockReservation, settle: ReservationSettler): void {
    this.#reservations.push({ reservation, settle });
  }

  /**
   * Hands each reservation's answer to its step. Events these emit (stock that went low)
   * go with the command's log, or are written at once when the log is written already
   * (`logWritten`).
   */
  async #settleReservations(
    reservations: PendingReservation[],
    result: Awaited<ReturnType<NonNullable<Repositories['appendLog']>>>,
    logWritten: boolean,
  ): Promise<void> {
    const written = this.events.length;
    for (const [n, { settle }] of reservations.entries()) await settle(result?.reserved[n]);
    if (logWritten && this.events.length > written) {
      await this.tx.outbox.insert(this.events.slice(written));
    }
  }

  /**
   * Writes the stock records kept so far, and makes the reservations left to the log (in a
   * statement of their own), before the command reads stock again: the read then sees them.
   */
  async flushStock(): Promise<void> {
    const reservations = this.#reservations.splice(0);
    if (reservations.length > 0) {
      const result = await this.tx.appendLog!({
        history: [],
        movements: [],
        events: [],
        deletedOutbox: [],
        reservations: reservations.map((r) => r.reservation),
      });
      await this.#settleReservations(reservations, result, false);
    }
    if (this.#stockWrites.size === 0) return;
    const writes = [...this.#stockWrites.values()];
    this.#stockWrites.clear();
    for (const { record, expectedVersion } of writes) {
      assertWritten(
        await this.tx.inventory.update(record, expectedVersion),
        'inventory',
        record.sku,
      );
    }
  }

  /** Writes the stock movements kept so far (before a step reads the ledger back). */
  async flushMovements(): Promise<void> {
    if (this.movements.length === 0) return;
    const movements = this.movements;
    this.movements = [];
    await this.tx.inventory.appendMovements(movements);
  }

  /**
   * Writes the command's history rows, stock movements and outbox events at the end, and
   * deletes the outbox rows `deletedOutbox` names (dispatched after earlier commands).
   */
  async writeLog(deletedOutbox: readonly string[] = []): Promise<void> {
    const { tx, historyRows: history, movements, events } = this;
    if (!tx.appendLog) await this.flushStock();
    const stock = [...this.#stockWrites.values()];
    this.#stockWrites.clear();
    const entities = this.#entityWrites?.takeEntityWrites() ?? [];
    const reservations = this.#reservations.splice(0);
    const empty = history.length === 0 && movements.length === 0 && events.length === 0;
    const noWrites = stock.length === 0 && entities.length === 0 && reservations.length === 0;
    if (empty && deletedOutbox.length === 0 && noWrites) return;
    this.movements = [];
    if (tx.appendLog) {
      const log: CommandLog = { history, movements, events, deletedOutbox };
      if (stock.length > 0) log.stock = stock;
      if (entities.length > 0) log.entities = entities;
      if (reservations.length > 0) log.reservations = reservations.map((r) => r.reservation);
      const result = await tx.appendLog(log);
      if (reservations.length > 0) await this.#settleReservations(reservations, result, true);
      return;
    }
    for (const row of history) await tx.history.append(row);
    if (movements.length > 0) await tx.inventory.appendMovements(movements);
    if (events.length > 0) await tx.outbox.insert(events);
    if (deletedOutbox.length > 0) await tx.outbox.delete(deletedOutbox);
  }
}

/**
 * Runs `fn` in one storage transaction with a unit of work; after commit, dispatches the
 * events it emitted (see `OutboxDispatcher` for when their rows are deleted). The
 * command's result does not wait on listeners' side effects beyond their synchronous
 * part, and a dispatch failure never fails the committed command.
 */
export async function runCommand<T>(
  ctx: SystemContext,
  fn: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  const { dispatcher } = ctx;
  let events: OutboxRecord[] = [];
  // Outbox rows dispatched after earlier commands, where the store deletes them best with
  // this transaction's log: given back for a later delete if it does not commit.
  let deleting: string[] = [];
  let deletesInLog = false;
  let result: T;
  try {
    result = await ctx.storage.transaction(async (tx) => {
      // A store may run this again (a retried transaction): what the last run took goes back.
      dispatcher.returnDispatched(deleting);
      deleting = [];
      deletesInLog = tx.outboxDeletesInLog === true;
      const uow = new UnitOfWork(tx, ctx);
      const value = await fn(uow);
      if (deletesInLog) deleting = dispatcher.takeDispatched();
      await uow.writeLog(deleting);
      events = uow.events;
      return value;
    });
  } catch (error) {
    dispatcher.returnDispatched(deleting);
    throw error;
  }
  if (events.length > 0) await dispatcher.dispatch(events, deletesInLog ? 'later' : 'now');
  return result;
}
