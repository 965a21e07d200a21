/**
 * The machinery behind the declared column tables (`entities.ts`): from one declaration per stored
 * entity it derives the row type, the values of an insert, the record read back from a row, the
 * SQLite and PostgreSQL insert statements and the migrations that create the table or add a column.
 * Backend-neutral: nothing here opens a database.
 */
import { redact } from '../redact.js'

/** A value as both drivers take and give it. */
export type SqlValue = string | number | null

/**
 * A column's type, which fixes both backends' types (see {@link SQL_TYPES}): `int` for counts and
 * flags, `bigint` for epoch milliseconds and token counts, `real` for scores and durations.
 */
export type ColumnType = 'text' | 'int' | 'bigint' | 'real'

/** The SQL type of each column type in each backend, and PostgreSQL's array element type (inserts by `unnest`). */
export const SQL_TYPES: Readonly<Record<ColumnType, { sqlite: string; pg: string; pgArray: string }>> = {
  text: { sqlite: 'TEXT', pg: 'TEXT', pgArray: 'text' },
  int: { sqlite: 'INTEGER', pg: 'INTEGER', pgArray: 'int' },
  bigint: { sqlite: 'INTEGER', pg: 'BIGINT', pgArray: 'int8' },
  real: { sqlite: 'REAL', pg: 'DOUBLE PRECISION', pgArray: 'float8' },
}

/** Which database (SQLite file / PostgreSQL part) a table lives in; each has its own schema version. */
export type StorePart = 'runs' | 'cache'

/** The record being rebuilt from a row. */
export type RecordOut = Record<string, unknown>

/** One column. `Src` is the record stored, `Ctx` what the row needs beyond it (a run id, an order). */
export interface ColumnDecl<Src, Ctx> {
  type: ColumnType
  /** NULL allowed. @default false (NOT NULL) */
  null?: boolean
  /**
   * The record field this column stores: by default the value written is `src[field]` (undefined as
   * NULL) and a non-NULL value is read back into `field`. A field named here is not copied to the
   * entity's `extra` column.
   */
  field?: keyof Src & string
  /** Stores `field` as JSON text (parsed when read). */
  json?: true
  /** Scrubs secrets from the text written (model output, dataset text, messages): see `redact.ts`. */
  redact?: true
  /** The value written, when it is not simply `src[field]`. */
  to?: (src: Src, ctx: Ctx) => SqlValue
  /** Puts the value read back into the record, when it is not simply `out[field] = value`. */
  from?: (value: SqlValue, out: RecordOut, row: Readonly<Record<string, SqlValue>>) => void
  /** The schema version of the part that added this column. @default the entity's `since` */
  since?: number
  /** Alone the primary key. */
  primaryKey?: true
  /** `<table>`: references that table's `id`, rows deleted with it. */
  references?: string
  /** SQL condition on the column (a CHECK constraint), e.g. `status IN ('a', 'b')`. */
  check?: string
  /** SQL literal default, e.g. `0`. Needed for a NOT NULL column added to an existing table. */
  default?: string
  /** Never written by an insert (maintained by other statements, e.g. hit counts); needs `default` or `null`. */
  insert?: false
  /** Holds, as JSON, the record's fields that no column stores (so a newer report loses nothing). */
  extra?: true
}

/** An entity as declared. */
export interface EntityDecl<C> {
  table: string
  /** The table's name in PostgreSQL, when it differs (the judge cache's `entries` is `cache_entries` there). */
  pgTable?: string
  part: StorePart
  /** The schema version of the part that created the table. */
  since: number
  columns: C
  /** Several columns as the primary key (one column: `primaryKey: true` on it). */
  primaryKey?: readonly string[]
  /** Unique column sets. */
  unique?: readonly (readonly string[])[]
  /** Index name -> columns, created with the table. */
  indexes?: Readonly<Record<string, readonly string[]>>
  /** Record fields kept in other tables (a run's cases): known, so never copied to `extra`. */
  storedElsewhere?: readonly string[]
}

/** A declared entity, with what is derived from it once. */
export interface Entity<Src, Ctx, C extends Record<string, ColumnDecl<Src, Ctx>>> extends EntityDecl<C> {
  /** Columns written by an insert, in declaration order. */
  readonly insertColumns: readonly string[]
  /** Record fields stored by a column or elsewhere. */
  readonly knownFields: ReadonlySet<string>
  /** The column holding unknown fields, if any. */
  readonly extraColumn: string | undefined
  /** Per inserted column, its value from the record (compiled once: rows are written by the 10,000). */
  readonly writers: readonly ((src: Src, ctx: Ctx) => SqlValue)[]
  /** Per read column, what it puts back into the record (compiled once). */
  readonly readers: readonly ((values: Readonly<Record<string, SqlValue>>, out: RecordOut) => void)[]
}

type TsOf<T extends ColumnType> = T extends 'text' ? string : number

/** The row type of an entity, as both backends return it (`SELECT *`). */
export type RowOf<E extends { columns: Record<string, { type: ColumnType }> }> = {
  -readonly [K in keyof E['columns']]:
    | TsOf<E['columns'][K]['type']>
    | (E['columns'][K] extends { null: true } ? null : never)
}

/**
 * Declares an entity: `defineEntity<StoredRecord, RowContext>()({ table, part, since, columns })`.
 * Checks the declaration (a mistake fails at import, in every test).
 */
export function defineEntity<Src, Ctx = undefined>() {
  return <const C extends Record<string, ColumnDecl<Src, Ctx>>>(decl: EntityDecl<C>): Entity<Src, Ctx, C> => {
    const columns = Object.entries(decl.columns) as [string, ColumnDecl<Src, Ctx>][]
    const known = new Set<string>(decl.storedElsewhere ?? [])
    let extraColumn: string | undefined
    for (const [name, column] of columns) {
      if (column.field !== undefined) known.add(column.field)
      if (column.extra) extraColumn = name
      const where = `${decl.table}.${name}`
      if (column.field === undefined && column.to === undefined && column.insert !== false && !column.extra)
        throw new TypeError(`Column ${where} needs \`field\` or \`to\` (what it stores).`)
      if (column.insert === false && column.default === undefined && !column.null)
        throw new TypeError(`Column ${where} is never inserted: give it a \`default\` or \`null: true\`.`)
      const since = column.since ?? decl.since
      if (since < decl.since) throw new TypeError(`Column ${where} cannot be older than its table.`)
      if (since > decl.since && !column.null && column.default === undefined)
        throw new TypeError(`Column ${where} is added to an existing table: give it \`null: true\` or a \`default\`.`)
    }
    const inserted = columns.filter(([, c]) => c.insert !== false)
    return {
      ...decl,
      insertColumns: inserted.map(([name]) => name),
      knownFields: known,
      extraColumn,
      writers: inserted.map(([, column]) => writer(column, known)),
      readers: columns.filter(([, c]) => !c.extra).map(([name, column]) => reader(name, column)),
    }
  }
}

function writer<Src, Ctx>(column: ColumnDecl<Src, Ctx>, known: ReadonlySet<string>): (src: Src, ctx: Ctx) => SqlValue {
  const field = column.field
  let write: (src: Src, ctx: Ctx) => SqlValue
  if (column.to !== undefined) write = column.to
  else if (column.extra) write = (src) => extraJson(src as object, known)
  else write = (src) => fieldValue(column, (src as Record<string, unknown>)[field as string])
  if (!column.redact) return write
  return (src, ctx) => {
    const value = write(src, ctx)
    return typeof value === 'string' ? redact(value) : value
  }
}

function reader(
  name: string,
  column: Pick<ColumnDecl<never, never>, 'from' | 'field' | 'json'>,
): (values: Readonly<Record<string, SqlValue>>, out: RecordOut) => void {
  const from = column.from
  if (from !== undefined) return (values, out) => from(values[name] ?? null, out, values)
  const field = column.field
  if (field === undefined) return () => {}
  if (column.json)
    return (values, out) => {
      const value = values[name]
      if (value !== null && value !== undefined) out[field] = JSON.parse(value as string)
    }
  return (values, out) => {
    const value = values[name]
    if (value !== null && value !== undefined) out[field] = value
  }
}

/** The values of an entity's insert, in `insertColumns` order. */
export function rowValues<Src, Ctx, C extends Record<string, ColumnDecl<Src, Ctx>>>(
  entity: Entity<Src, Ctx, C>,
  src: Src,
  ctx: Ctx,
): SqlValue[] {
  const writers = entity.writers
  const values: SqlValue[] = new Array(writers.length)
  for (let i = 0; i < writers.length; i++) values[i] = (writers[i] as (src: Src, ctx: Ctx) => SqlValue)(src, ctx)
  return values
}

function fieldValue(column: { json?: true }, value: unknown): SqlValue {
  if (value === undefined || value === null) return null
  if (column.json) return JSON.stringify(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  return value as SqlValue
}

/**
 * The record a row holds: the `extra` column's fields first, then each column's field in
 * declaration order (the order a report's keys come out in).
 */
export function fromRow<Src, Ctx, C extends Record<string, ColumnDecl<Src, Ctx>>>(
  entity: Entity<Src, Ctx, C>,
  row: object,
): RecordOut {
  const values = row as Readonly<Record<string, SqlValue>>
  const out: RecordOut = entity.extraColumn === undefined ? {} : parseExtra(values[entity.extraColumn] as string | null)
  for (const read of entity.readers) read(values, out)
  return out
}

/** JSON of the fields of `value` no column stores, or null. Secrets are scrubbed. */
export function extraJson(value: object, known: ReadonlySet<string>): string | null {
  let extra: Record<string, unknown> | undefined
  for (const [key, field] of Object.entries(value)) {
    if (known.has(key) || field === undefined) continue
    extra ??= {}
    extra[key] = field
  }
  return extra === undefined ? null : redact(JSON.stringify(extra))
}

/** The fields of an `extra` column. */
export function parseExtra(json: string | null): RecordOut {
  return json === null ? {} : (JSON.parse(json) as RecordOut)
}

/** Any declared entity. */
export type AnyEntity = Entity<never, never, Record<string, ColumnDecl<never, never>>>

/** How the insert of a row treats a row with the same primary key. */
export interface InsertOptions {
  /** Replace it (SQLite `INSERT OR REPLACE`, PostgreSQL `ON CONFLICT (pk) DO UPDATE`). */
  upsert?: boolean
}

/** The SQLite insert of one row, with `?` placeholders in `insertColumns` order. */
export function sqliteInsert(entity: AnyEntity, options: InsertOptions = {}): string {
  const columns = entity.insertColumns
  return `INSERT${options.upsert ? ' OR REPLACE' : ''} INTO ${entity.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`
}

/** The PostgreSQL insert of one row into `<schema>.<table>`, `$n` placeholders in `insertColumns` order. */
export function pgInsert(entity: AnyEntity, schema: string, options: InsertOptions & { ifAbsent?: boolean } = {}) {
  const columns = entity.insertColumns
  return `INSERT INTO ${pgTable(entity, schema)} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})${pgConflict(entity, options)}`
}

/**
 * The PostgreSQL insert of any number of rows in one statement: one array parameter per column,
 * `INSERT ... SELECT * FROM unnest(...)`. Its values: {@link pgColumnArrays}.
 */
export function pgInsertMany(entity: AnyEntity, schema: string, options: InsertOptions = {}): string {
  const params = entity.insertColumns.map(
    (name, i) => `$${i + 1}::${SQL_TYPES[(entity.columns[name] as ColumnDecl<never, never>).type].pgArray}[]`,
  )
  return `INSERT INTO ${pgTable(entity, schema)} (${entity.insertColumns.join(', ')}) SELECT * FROM unnest(${params.join(', ')})${pgConflict(entity, options)}`
}

/** Rows of values (as {@link rowValues} gives them) as one array per column. */
export function pgColumnArrays(entity: AnyEntity, rows: readonly SqlValue[][]): SqlValue[][] {
  return entity.insertColumns.map((_, c) => rows.map((row) => row[c] ?? null))
}

/** `<schema>.<table>` of an entity in PostgreSQL (`schema` quoted). */
export function pgTable(entity: AnyEntity, schema: string): string {
  return `${schema}.${entity.pgTable ?? entity.table}`
}

function pgConflict(entity: AnyEntity, options: InsertOptions & { ifAbsent?: boolean }): string {
  if (!options.upsert && !options.ifAbsent) return ''
  const key = primaryKey(entity)
  if (options.ifAbsent) return ` ON CONFLICT (${key.join(', ')}) DO NOTHING`
  const set = entity.insertColumns.filter((c) => !key.includes(c)).map((c) => `${c} = EXCLUDED.${c}`)
  return ` ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}`
}

function primaryKey(entity: AnyEntity): readonly string[] {
  if (entity.primaryKey !== undefined) return entity.primaryKey
  const key = Object.entries(entity.columns).filter(([, c]) => c.primaryKey)
  if (key.length === 0) throw new TypeError(`Table ${entity.table} declares no primary key.`)
  return key.map(([name]) => name)
}

type Dialect = 'sqlite' | 'pg'

function columnSql(name: string, column: ColumnDecl<never, never>, dialect: Dialect, schema: string): string {
  let sql = `${name} ${SQL_TYPES[column.type][dialect]}`
  if (column.primaryKey) sql += ' PRIMARY KEY'
  if (!column.null && !column.primaryKey) sql += ' NOT NULL'
  if (column.default !== undefined) sql += ` DEFAULT ${column.default}`
  if (column.check !== undefined) sql += ` CHECK (${column.check})`
  if (column.references !== undefined) {
    const target = dialect === 'pg' ? `${schema}.${column.references}` : column.references
    sql += ` REFERENCES ${target} (id) ON DELETE CASCADE`
  }
  return sql
}

/** The statements that create the entity's table (its columns as of `version`) and its indexes. */
function createTableSql(entity: AnyEntity, version: number, dialect: Dialect, schema: string): string {
  const table = dialect === 'pg' ? pgTable(entity, schema) : entity.table
  const lines = Object.entries(entity.columns)
    .filter(([, c]) => (c.since ?? entity.since) <= version)
    .map(([name, c]) => columnSql(name, c, dialect, schema))
  if (entity.primaryKey !== undefined) lines.push(`PRIMARY KEY (${entity.primaryKey.join(', ')})`)
  for (const columns of entity.unique ?? []) lines.push(`UNIQUE (${columns.join(', ')})`)
  const statements = [`CREATE TABLE ${table} (\n  ${lines.join(',\n  ')}\n);`]
  for (const [index, columns] of Object.entries(entity.indexes ?? {}))
    statements.push(`CREATE INDEX ${index} ON ${table} (${columns.join(', ')});`)
  return statements.join('\n')
}

/** The statements that bring the part's declared tables from `version - 1` to `version`. */
function stepSql(entities: readonly AnyEntity[], version: number, dialect: Dialect, schema: string): string {
  const statements: string[] = []
  for (const entity of entities) {
    if (entity.since === version) {
      statements.push(createTableSql(entity, version, dialect, schema))
      continue
    }
    if (entity.since > version) continue
    const table = dialect === 'pg' ? pgTable(entity, schema) : entity.table
    for (const [name, column] of Object.entries(entity.columns)) {
      if ((column.since ?? entity.since) !== version) continue
      statements.push(`ALTER TABLE ${table} ADD COLUMN ${columnSql(name, column, dialect, schema)};`)
    }
  }
  return statements.join('\n')
}

/** The newest schema version the declarations of a part ask for. */
export function declaredVersion(entities: readonly AnyEntity[]): number {
  let version = 0
  for (const entity of entities) {
    version = Math.max(version, entity.since)
    for (const column of Object.values(entity.columns)) version = Math.max(version, column.since ?? entity.since)
  }
  return version
}

/**
 * A part's SQLite migrations: the released steps as written then (never edited), followed by one
 * step per newer version, derived from the declarations (`since` of tables and columns).
 */
export function sqliteMigrations(entities: readonly AnyEntity[], released: readonly string[] = []): string[] {
  const steps = [...released]
  for (let version = released.length + 1; version <= declaredVersion(entities); version++)
    steps.push(stepSql(entities, version, 'sqlite', ''))
  return steps
}

/** A part's PostgreSQL migrations (functions of the quoted schema): as {@link sqliteMigrations}. */
export function pgMigrations(
  entities: readonly AnyEntity[],
  released: readonly ((schema: string) => string)[] = [],
): ((schema: string) => string)[] {
  const steps = [...released]
  for (let version = released.length + 1; version <= declaredVersion(entities); version++)
    steps.push((schema) => stepSql(entities, version, 'pg', schema))
  return steps
}
