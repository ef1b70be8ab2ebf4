import { ConfigurationError } from './errors.js';
import { RETURN_REASONS, type ReturnReason } from './schemas/return.js';

/**
 * Business settings of an order system. Every field is optional; defaults are filled in
 * by `resolveConfig`, in this one place.
 *
 * ```ts
 * createOrderSystem({ storage, jobs, config: { returnWindowDays: 14,
 *   restockingFeePercent: { no_longer_needed: 10 } } });
 * ```
 */
export interface OrderflowConfig {
  /** Days after delivery during which a return may be opened. @default 30 */
  returnWindowDays?: number;
  /** A pending order with nothing paid is cancelled after this many minutes. @default 60 */
  unpaidOrderTtlMinutes?: number;
  /** Restocking fee in percent of the returned value, per reason. @default {} (no fees) */
  restockingFeePercent?: Partial<Record<ReturnReason, number>>;
  /** Confirm a pending order once captured payments cover its total. @default true */
  autoConfirmOnFullCapture?: boolean;
  /** Refund captured payments when an order is cancelled. @default true */
  refundOnCancel?: boolean;
  /** Idempotency keys are kept at least this many hours. @default 24 */
  idempotencyKeyTtlHours?: number;
  /** How long a second request with the same in-flight key waits before 409. @default 5000 */
  idempotencyWaitMs?: number;
  /**
   * An in-flight idempotency claim older than this counts as abandoned (its process died)
   * and a retry may take it over. Keep it above your slowest command. @default 60000
   */
  idempotencyLeaseMs?: number;
  /** How often the sweep looks for lost work. @default 60000 */
  sweepIntervalMs?: number;
  /** Work untouched this long is considered lost by the sweep. @default 120000 */
  sweepGraceMs?: number;
  /**
   * How long the process that commits an event has to dispatch it before another process
   * (its sweep) may: the delay before a crashed process's events go out. @default 30000
   */
  outboxLeaseMs?: number;
  /** Provider calls are retried this many times on transient failure. @default 3 */
  providerRetries?: number;
  /** First backoff delay between provider retries, doubled each time. @default 50 */
  providerRetryMinTimeoutMs?: number;
  /** Stock: what is tracked and when it moves (see `InventoryConfig`). */
  inventory?: InventoryConfig;
}

/**
 * Stock settings. A SKU with a stock record (`inventory.set`) is tracked: orders reserve it
 * and cannot take more than is available unless it allows backorders.
 *
 * ```ts
 * createOrderSystem({ storage, jobs, config: { inventory: { requireStock: true, lowStockThreshold: 5 } } });
 * ```
 */
export interface InventoryConfig {
  /** Refuse order lines whose SKU has no stock record (`sku_not_stocked`). @default false */
  requireStock?: boolean;
  /** Return reasons whose units are not put back on hand when received. @default ['damaged', 'defective'] */
  noRestockReasons?: ReturnReason[];
  /** `inventory.low_stock` when available falls to or below this; 0 turns it off. @default 0 */
  lowStockThreshold?: number;
}

export type ResolvedConfig = Required<Omit<OrderflowConfig, 'inventory'>> & {
  inventory: Required<InventoryConfig>;
};

export const DEFAULT_CONFIG: ResolvedConfig = {
  returnWindowDays: 30,
  unpaidOrderTtlMinutes: 60,
  restockingFeePercent: {},
  autoConfirmOnFullCapture: true,
  refundOnCancel: true,
  idempotencyKeyTtlHours: 24,
  idempotencyWaitMs: 5000,
  idempotencyLeaseMs: 60_000,
  sweepIntervalMs: 60_000,
  sweepGraceMs: 120_000,
  outboxLeaseMs: 30_000,
  providerRetries: 3,
  providerRetryMinTimeoutMs: 50,
  inventory: {
    requireStock: false,
    noRestockReasons: ['damaged', 'defective'],
    lowStockThreshold: 0,
  },
};

/** Fills in defaults and refuses settings that cannot work. */
export function resolveConfig(config: OrderflowConfig = {}): ResolvedConfig {
  const resolved: ResolvedConfig = { ...DEFAULT_CONFIG };
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  resolved.inventory = resolveInventory(config.inventory);
  for (const key of [
    'returnWindowDays',
    'unpaidOrderTtlMinutes',
    'idempotencyKeyTtlHours',
    'idempotencyWaitMs',
    'idempotencyLeaseMs',
    'sweepIntervalMs',
    'sweepGraceMs',
    'outboxLeaseMs',
    'providerRetries',
    'providerRetryMinTimeoutMs',
  ] as const) {
    const v = resolved[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ConfigurationError(`config.${key} must be a number ≥ 0, got ${String(v)}`);
    }
  }
  for (const [reason, pct] of Object.entries(resolved.restockingFeePercent)) {
    if (typeof pct !== 'number' || pct < 0 || pct > 100) {
      throw new ConfigurationError(
        `config.restockingFeePercent.${reason} must be between 0 and 100`,
      );
    }
  }
  return resolved;
}

function resolveInventory(config: InventoryConfig = {}): Required<InventoryConfig> {
  const resolved = { ...DEFAULT_CONFIG.inventory };
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  if (typeof resolved.requireStock !== 'boolean') {
    throw new ConfigurationError('config.inventory.requireStock must be true or false');
  }
  if (!Number.isInteger(resolved.lowStockThreshold) || resolved.lowStockThreshold < 0) {
    throw new ConfigurationError('config.inventory.lowStockThreshold must be an integer ≥ 0');
  }
  const reasons: readonly string[] = RETURN_REASONS;
  if (
    !Array.isArray(resolved.noRestockReasons) ||
    resolved.noRestockReasons.some((r) => !reasons.includes(r))
  ) {
    throw new ConfigurationError(
      `config.inventory.noRestockReasons must list return reasons (${RETURN_REASONS.join(', ')})`,
    );
  }
  return resolved;
}
