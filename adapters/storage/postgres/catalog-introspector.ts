import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Dialect,
  type Kysely,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

/**
 * Table and schema lookups for kysely's Migrator that read the catalogs by OID only.
 * kysely's own Postgres introspector calls `has_schema_privilege(nspname, …)` and
 * `pg_get_serial_sequence('schema.table', …)` for every table in the database: those
 * resolve names again, and fail with "schema … does not exist" when another session drops
 * a schema between the scan and the lookup (several test runs or tenants sharing a
 * database). The Migrator only needs table names and their schemas.
 */
class CatalogIntrospector implements DatabaseIntrospector {
  constructor(
    // biome-ignore lint/suspicious/noExplicitAny: catalog queries have no table types
    private readonly db: Kysely<any>,
    private readonly schema: string | undefined,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`
      select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return rows;
  }

  async getTables(_options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    // With a schema, its tables; without, the tables unqualified names resolve to (the
    // search_path's) — never a same-named table in some other schema.
    const where = this.schema
      ? sql`ns.nspname = ${this.schema}`
      : sql`pg_catalog.pg_table_is_visible(c.oid)`;
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, ns.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where c.relkind in ('r', 'v', 'p') and ${where}`.execute(this.db);
    return rows.map((r) => ({
      name: r.name,
      schema: r.schema,
      isView: r.kind === 'v',
      columns: [],
    }));
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

/**
 * The dialect, with catalog lookups that cannot trip over schemas dropped meanwhile, and
 * that see only the tables of `schema` (or of the search_path when none is given).
 */
export function withCatalogIntrospector(dialect: Dialect, schema?: string): Dialect {
  return {
    createDriver: () => dialect.createDriver(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => new CatalogIntrospector(db, schema),
  };
}
