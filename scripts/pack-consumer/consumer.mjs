import { createRequire } from 'node:module';
import * as orderflow from 'orderflow';
import * as inProcess from 'orderflow/adapters/in-process';
import * as memory from 'orderflow/adapters/memory';
import * as testing from 'orderflow/testing';

const { run } = createRequire(import.meta.url)('./flow.cjs');
await run('esm', { orderflow, memory, inProcess, testing });
