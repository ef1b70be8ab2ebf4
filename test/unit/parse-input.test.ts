import { createOrderInput, parseInput } from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { describe, expect, it } from 'vitest';

describe('parseInput', () => {
  it('refuses absurdly deep metadata as a validation error instead of overflowing the stack', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20_000; i++) deep = { nested: deep };
    expect(() => parseInput(createOrderInput, orderInput({ metadata: { deep } as never }))).toThrow(
      expect.objectContaining({ code: 'validation_error' }),
    );
  });
});
