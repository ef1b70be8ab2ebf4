// Shared by the ESM and CJS consumers: receives the modules, runs the acceptance flow.
async function run(label, { orderflow, memory, inProcess, testing }) {
  const { createOrderSystem, OrderflowError, isOrderflowError, silentLogger } = orderflow;
  const oms = await createOrderSystem({
    storage: memory.memoryStorage(),
    jobs: inProcess.inProcessJobs({ logger: silentLogger }),
    payments: testing.fakePaymentProvider(),
    logger: silentLogger,
  });
  try {
    const order = await oms.orders.create({
      customerId: 'c_1',
      currency: 'USD',
      items: [{ sku: 'TSHIRT-M', name: 'T-shirt', quantity: 2, unitPrice: 1999 }],
    });
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    if (payment.state !== 'captured') throw new Error(`${label}: payment is ${payment.state}`);
    await oms.idle();
    const confirmed = await oms.orders.get(order.id);
    if (confirmed.state !== 'confirmed') throw new Error(`${label}: order is ${confirmed.state}`);
    let caught;
    try {
      await oms.orders.transition(
        order.id,
        { state: 'processing' },
        { expectedVersion: order.version },
      );
    } catch (error) {
      caught = error;
    }
    if (!(caught instanceof OrderflowError))
      throw new Error(`${label}: stale transition did not throw OrderflowError: ${caught}`);
    if (!isOrderflowError(caught) || caught.code !== 'concurrency_conflict') {
      throw new Error(`${label}: expected concurrency_conflict, got ${caught.code}`);
    }
    console.log(
      `pack-check: ${label}: order ${confirmed.id} paid and confirmed; stale version -> ${caught.code} (instanceof OrderflowError)`,
    );
  } finally {
    await oms.close();
  }
}
module.exports = { run };
