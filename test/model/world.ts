/**
 * The system under test of the model-based run and what it looks like in storage. A run
 * builds one `World` (an order system on this run's backend, a manual clock, the fake
 * provider behind a fault switch, the fake carrier), and after every step reads it all
 * back as a `Snapshot` that the invariants are checked against.
 */
import type {
  HistoryEntry,
  InventoryItem,
  Order,
  OrderflowConfig,
  OrderSystem,
  Payment,
  PaymentProvider,
  ProviderResult,
  Return,
  Shipment,
} from 'orderflow';
import { type FakePaymentProvider, fakeCarrier, fakePaymentProvider } from 'orderflow/testing';
import { type TestSystem, testSystem } from '../managers/setup.js';

/** SKUs with a stock record from the start, and how much. */
export const TRACKED = [
  { sku: 'MUG', onHand: 8, allowBackorder: false },
  { sku: 'TEE', onHand: 3, allowBackorder: false },
  { sku: 'CAP', onHand: 1, allowBackorder: true },
] as const;
/** A SKU without a stock record: unlimited. */
export const UNTRACKED = 'GIFT';
export const SKUS = [...TRACKED.map((t) => t.sku), UNTRACKED];

export const MODEL_CONFIG: OrderflowConfig = {
  restockingFeePercent: { no_longer_needed: 10 },
  providerRetries: 3,
  providerRetryMinTimeoutMs: 1,
};

type Operation = 'authorize' | 'capture' | 'void' | 'refund';
export type Fault = 'timeout' | 'timeout_after_success' | 'decline';

class ModelTimeout extends Error {
  override name = 'ModelTimeout';
}

/**
 * The fake provider with faults a step arms for its own calls and clears afterwards, so a
 * fault a step did not use never lands on a later step. `decline` is handed to the fake (it
 * remembers the answer under the key, as a real provider would); a timeout after success
 * lets the fake do the work and loses the answer.
 */
export interface FaultyProvider extends FakePaymentProvider {
  arm(operation: Operation, fault: Fault, count?: number): void;
  disarm(): void;
}

export function faultyProvider(fake: FakePaymentProvider): FaultyProvider {
  const armed: Record<Operation, Fault[]> = { authorize: [], capture: [], void: [], refund: [] };
  const wrap =
    <R>(operation: Operation, call: (request: R) => Promise<ProviderResult>) =>
    async (request: R): Promise<ProviderResult> => {
      const fault = armed[operation].shift();
      if (fault === 'timeout') throw new ModelTimeout(`${operation} timed out`);
      if (fault === 'decline') fake.failNext(operation, 'decline');
      const result = await call(request);
      if (fault === 'timeout_after_success') {
        throw new ModelTimeout(`${operation} timed out after the provider answered`);
      }
      return result;
    };
  const provider: PaymentProvider = fake;
  return {
    ...fake,
    authorize: wrap('authorize', (r: Parameters<PaymentProvider['authorize']>[0]) =>
      provider.authorize(r),
    ),
    capture: wrap('capture', (r: Parameters<PaymentProvider['capture']>[0]) => provider.capture(r)),
    void: wrap('void', (r: Parameters<PaymentProvider['void']>[0]) => provider.void(r)),
    refund: wrap('refund', (r: Parameters<PaymentProvider['refund']>[0]) => provider.refund(r)),
    arm(operation, fault, count = 1) {
      for (let i = 0; i < count; i++) armed[operation].push(fault);
    },
    disarm() {
      for (const list of Object.values(armed)) list.length = 0;
    },
  };
}

/** A broken invariant (never an OrderflowError, so a step cannot take it for a refusal). */
export class ModelFailure extends Error {
  override name = 'ModelFailure';
}

/** Everything the invariants look at, read from storage through the managers. */
export interface Snapshot {
  orders: Order[];
  payments: Payment[];
  returns: Return[];
  shipments: Shipment[];
  stock: InventoryItem[];
  /** Movements per tracked SKU. */
  movements: Record<string, number>;
  /** History rows per `entity:id`. */
  history: Record<string, HistoryEntry[]>;
}

export interface World extends TestSystem {
  provider: FaultyProvider;
  /** The state after the last step. */
  state: Snapshot;
  /** One line per step: what it did and how it ended (printed when a run fails). */
  trace: string[];
  /** Idempotency keys used for orders: the first input and order of each. */
  keys: Map<string, { input: string; id: string; at: number }>;
  /** Whether the step running now runs alone (not in a batch of commands at once). */
  alone: boolean;
  /** `*.created` and `*.state_changed` events received, per `entity:id`. */
  events: Map<string, number>;
}

const ENTITIES = ['order', 'return', 'payment', 'shipment'] as const;

/** A fresh system on this run's backend with the tracked SKUs stocked. */
export async function newWorld(): Promise<World> {
  const provider = faultyProvider(fakePaymentProvider());
  const system = await testSystem({
    payments: provider,
    carrier: fakeCarrier(),
    config: MODEL_CONFIG,
  });
  for (const t of TRACKED) {
    await system.oms.inventory.set(t.sku, { onHand: t.onHand, allowBackorder: t.allowBackorder });
  }
  const world: World = {
    ...system,
    provider,
    state: emptySnapshot(),
    trace: [],
    keys: new Map(),
    alone: true,
    events: new Map(),
  };
  for (const entity of ENTITIES) {
    for (const name of [`${entity}.created`, `${entity}.state_changed`] as const) {
      system.oms.events.on(name, (e: { id: string }) => {
        const key = `${entity}:${e.id}`;
        world.events.set(key, (world.events.get(key) ?? 0) + 1);
      });
    }
  }
  world.state = await readSnapshot(system.oms);
  return world;
}

function emptySnapshot(): Snapshot {
  return {
    orders: [],
    payments: [],
    returns: [],
    shipments: [],
    stock: [],
    movements: {},
    history: {},
  };
}

async function allPages<T>(
  list: (q: {
    limit: number;
    cursor?: string;
  }) => Promise<{ data: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Reads every order, payment, return, shipment, stock record and history row. */
export async function readSnapshot(oms: OrderSystem): Promise<Snapshot> {
  const orders = (await allPages((q) => oms.orders.list(q))).sort(byId);
  const returns = (await allPages((q) => oms.returns.list(q))).sort(byId);
  const payments: Payment[] = [];
  const shipments: Shipment[] = [];
  for (const order of orders) {
    payments.push(...(await oms.payments.listByOrder(order.id)));
    shipments.push(...(await oms.shipments.listByOrder(order.id)));
  }
  payments.sort(byId);
  shipments.sort(byId);
  const stock: InventoryItem[] = [];
  const movements: Record<string, number> = {};
  for (const { sku } of TRACKED) {
    stock.push(await oms.inventory.get(sku));
    movements[sku] = (await allPages((q) => oms.inventory.movements(sku, q))).length;
  }
  const history: Record<string, HistoryEntry[]> = {};
  for (const o of orders) history[`order:${o.id}`] = await oms.orders.history(o.id);
  for (const p of payments) history[`payment:${p.id}`] = await oms.payments.history(p.id);
  for (const r of returns) history[`return:${r.id}`] = await oms.returns.history(r.id);
  for (const s of shipments) history[`shipment:${s.id}`] = await oms.shipments.history(s.id);
  return { orders, payments, returns, shipments, stock, movements, history };
}
