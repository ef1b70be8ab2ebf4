import { EventEmitter } from 'eventemitter3';
import type { Logger } from '../ports/logger.js';
import type { OrderflowEventMap } from './event-map.js';

type Listener = (...args: never[]) => unknown;
type EventArgs = { [K in keyof OrderflowEventMap]: [payload: OrderflowEventMap[K]] };
type Names = EventEmitter.EventNames<EventArgs>;
type ListenerOf<T extends Names> = EventEmitter.EventListener<EventArgs, T>;

/**
 * The typed event emitter of an order system (`oms.events`). Listeners run after the
 * command's transaction commits. A listener that throws or rejects is logged and never
 * breaks the command or the other listeners.
 *
 * ```ts
 * oms.events.on('refund.succeeded', (e) => audit(e.refund));
 * ```
 */
export class OrderflowEvents extends EventEmitter<EventArgs> {
  readonly #wrapped = new WeakMap<Listener, Listener>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    super();
    this.#logger = logger;
  }

  #wrap(event: string, fn: Listener): Listener {
    let wrapped = this.#wrapped.get(fn);
    if (!wrapped) {
      const logger = this.#logger;
      wrapped = function safeListener(this: unknown, ...args: never[]) {
        try {
          const result = fn.apply(this, args);
          if (result && typeof (result as Promise<unknown>).catch === 'function') {
            (result as Promise<unknown>).catch((error: unknown) =>
              logger.error({ event, err: error }, 'event listener rejected'),
            );
          }
        } catch (error) {
          logger.error({ event, err: error }, 'event listener threw');
        }
      };
      this.#wrapped.set(fn, wrapped);
    }
    return wrapped;
  }

  override on<T extends Names>(event: T, fn: ListenerOf<T>, context?: unknown): this {
    return super.on(event, this.#wrap(event, fn as Listener) as ListenerOf<T>, context);
  }
  override addListener<T extends Names>(event: T, fn: ListenerOf<T>, context?: unknown): this {
    return this.on(event, fn, context);
  }
  override once<T extends Names>(event: T, fn: ListenerOf<T>, context?: unknown): this {
    return super.once(event, this.#wrap(event, fn as Listener) as ListenerOf<T>, context);
  }
  override off<T extends Names>(
    event: T,
    fn?: ListenerOf<T>,
    context?: unknown,
    once?: boolean,
  ): this {
    const wrapped = fn ? (this.#wrapped.get(fn as Listener) ?? fn) : undefined;
    return super.off(event, wrapped as ListenerOf<T> | undefined, context, once);
  }
  override removeListener<T extends Names>(
    event: T,
    fn?: ListenerOf<T>,
    context?: unknown,
    once?: boolean,
  ): this {
    return this.off(event, fn, context, once);
  }
}
