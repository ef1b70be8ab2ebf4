/**
 * Every router under `/api/v1`, in the order they are matched and documented. `app.ts`
 * mounts each behind the bearer key; `openapi.ts` documents each. A new router is one file
 * in this folder and one line here.
 */
import type { OrderSystem } from 'orderflow';
import type { RouteGroup } from '../route-group.js';
import { inventoryRoutes } from './inventory.js';
import { orderEditRoutes } from './order-edits.js';
import { ordersRoutes } from './orders.js';
import { paymentsRoutes } from './payments.js';
import { returnsRoutes } from './returns.js';
import { shipmentsRoutes } from './shipments.js';

export const API_ROUTE_GROUPS: readonly RouteGroup<OrderSystem>[] = [
  ordersRoutes,
  orderEditRoutes,
  shipmentsRoutes,
  returnsRoutes,
  paymentsRoutes,
  inventoryRoutes,
];
