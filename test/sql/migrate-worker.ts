// Child process of the concurrent-migration test: opens the database and migrates it.
import { postgresStorage } from '../../adapters/storage/postgres/index.js';

const storage = postgresStorage({ connectionString: process.argv[2]! });
try {
  await storage.migrate();
  await storage.ping();
  console.log('migrated');
} finally {
  await storage.close();
}
