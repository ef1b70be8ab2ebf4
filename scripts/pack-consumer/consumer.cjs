const { run } = require('./flow.cjs');
run('cjs', {
  orderflow: require('orderflow'),
  memory: require('orderflow/adapters/memory'),
  inProcess: require('orderflow/adapters/in-process'),
  testing: require('orderflow/testing'),
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
