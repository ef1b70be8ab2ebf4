/**
 * A fake payment provider whose ledger lives in Postgres, so several processes share it
 * the way they share a real provider. Like Stripe, a repeated idempotency key returns the
 * first answer and moves no money; the ledger is what the tests count.
 *
 * It does what it is asked and keeps score: a refund beyond what was captured, a second
 * authorization or capture of one payment under a new key, or a capture beyond the
 * authorization moves the money anyway and is written to a violations table, which the
 * tests read with `readViolations()` and expect to be empty. So a library bug shows up as
 * money moved wrongly, never as a decline the library happens to survive.
 */
import type { PaymentProvider, ProviderResult } from 'orderflow';
import pg from 'pg';

export interface LedgerRow {
  idempotency_key: string;
  operation: string;
  payment_id: string;
  amount: number;
  /** Which process made the call (ORDERFLOW_WORKER_NAME, or `main`). */
  actor: string;
}

const TABLE = 'fake_provider_ledger';
const VIOLATIONS = 'fake_provider_violations';

/** A request the library should not have made (see the module comment). */
export interface ViolationRow {
  idempotency_key: string;
  operation: string;
  payment_id: string;
  amount: number;
  message: string;
}

export async function createLedger(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
    await client.query(`create table if not exists "${schema}".${TABLE} (
      idempotency_key text primary key,
      operation text not null,
      payment_id text not null,
      amount bigint not null,
      actor text not null,
      result jsonb not null
    )`);
    await client.query(`create table if not exists "${schema}".${VIOLATIONS} (
      idempotency_key text not null,
      operation text not null,
      payment_id text not null,
      amount bigint not null,
      message text not null
    )`);
  } finally {
    await client.end();
  }
}

export async function readLedger(connectionString: string, schema: string): Promise<LedgerRow[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select idempotency_key, operation, payment_id, amount::int as amount, actor from "${schema}".${TABLE}`,
    );
    return rows as LedgerRow[];
  } finally {
    await client.end();
  }
}

/** Every wrong request recorded so far; the tests expect none. */
export async function readViolations(
  connectionString: string,
  schema: string,
): Promise<ViolationRow[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select idempotency_key, operation, payment_id, amount::int as amount, message from "${schema}".${VIOLATIONS}`,
    );
    return rows as ViolationRow[];
  } finally {
    await client.end();
  }
}

export interface LedgerProviderOptions {
  connectionString: string;
  schema: string;
  /** Milliseconds each call takes (to catch a worker mid-call). @default 0 */
  latencyMs?: number;
}

export function ledgerProvider(
  options: LedgerProviderOptions,
): PaymentProvider & { close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
  const table = `"${options.schema}".${TABLE}`;
  const violations = `"${options.schema}".${VIOLATIONS}`;
  const actor = process.env.ORDERFLOW_WORKER_NAME ?? 'main';

  async function once(
    key: string,
    operation: string,
    paymentId: string,
    amount: number,
    /** Says what is wrong with the request given the ledger so far, if anything. */
    check: (client: pg.PoolClient) => Promise<string | undefined>,
    result: ProviderResult,
  ): Promise<ProviderResult> {
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const client = await pool.connect();
    try {
      await client.query('begin');
      // One provider-side lock per payment keeps its balance checks honest.
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [paymentId]);
      const known = await client.query(`select result from ${table} where idempotency_key = $1`, [
        key,
      ]);
      if (known.rows[0]) {
        await client.query('commit');
        return known.rows[0].result as ProviderResult;
      }
      const wrong = await check(client);
      if (wrong) {
        await client.query(
          `insert into ${violations} (idempotency_key, operation, payment_id, amount, message) values ($1, $2, $3, $4, $5)`,
          [key, operation, paymentId, amount, wrong],
        );
      }
      if (result.status === 'succeeded') {
        await client.query(
          `insert into ${table} (idempotency_key, operation, payment_id, amount, actor, result) values ($1, $2, $3, $4, $5, $6)`,
          [key, operation, paymentId, amount, actor, JSON.stringify(result)],
        );
      }
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const sum = async (client: pg.PoolClient, paymentId: string, operation: string) => {
    const { rows } = await client.query(
      `select coalesce(sum(amount), 0)::int as total from ${table} where payment_id = $1 and operation = $2`,
      [paymentId, operation],
    );
    return Number(rows[0].total);
  };
  const count = async (client: pg.PoolClient, paymentId: string, operation: string) => {
    const { rows } = await client.query(
      `select count(*)::int as n from ${table} where payment_id = $1 and operation = $2`,
      [paymentId, operation],
    );
    return Number(rows[0].n);
  };

  return {
    name: 'ledger',
    authorize: (req) =>
      once(
        req.idempotencyKey,
        'authorize',
        req.paymentId,
        req.amount,
        async (client) =>
          req.token === 'tok_visa' && (await count(client, req.paymentId, 'authorize')) > 0
            ? `payment ${req.paymentId} authorized again under a new key`
            : undefined,
        req.token === 'tok_visa'
          ? { status: 'succeeded', reference: `ch_${req.paymentId}` }
          : { status: 'declined', code: 'card_declined' },
      ),
    capture: (req) =>
      once(
        req.idempotencyKey,
        'capture',
        req.paymentId,
        req.amount,
        async (client) => {
          const authorized = await sum(client, req.paymentId, 'authorize');
          const captured = await sum(client, req.paymentId, 'capture');
          return captured > 0 || req.amount > authorized
            ? `capture of ${req.amount}: ${authorized} authorized, ${captured} already captured`
            : undefined;
        },
        { status: 'succeeded', reference: req.providerReference },
      ),
    void: (req) =>
      once(req.idempotencyKey, 'void', req.paymentId, 0, async () => undefined, {
        status: 'succeeded',
        reference: req.providerReference,
      }),
    refund: (req) =>
      once(
        req.idempotencyKey,
        'refund',
        req.paymentId,
        req.amount,
        async (client) => {
          const captured = await sum(client, req.paymentId, 'capture');
          const refunded = await sum(client, req.paymentId, 'refund');
          return refunded + req.amount > captured
            ? `refund of ${req.amount}: ${captured} captured, ${refunded} already refunded`
            : undefined;
        },
        { status: 'succeeded', reference: `re_${req.refundId}` },
      ),
    close: () => pool.end(),
  };
}
