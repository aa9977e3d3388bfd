import { CompiledQuery, type AbortableQueryOptions } from 'kysely';
import {
  AbstractSqlConnection,
  JsonProperty,
  NativeQueryBuilder,
  Utils,
  isRaw,
  raw,
  type AbstractSqlPlatform,
  type AnyEntity,
  type BasePostgreSqlPlatform,
  type Dictionary,
  type EntityData,
  type LoggingOptions,
  type QueryResult,
  type RawQueryFragment,
  type Transaction,
} from '@mikro-orm/sql';

/**
 * MikroORM 7.2's SQL connection formats every parameter into the statement text and hands the
 * database a statement without parameters. Quoting is then the only thing between a value and the
 * SQL grammar, and SQLite's tokenizer ends a string literal at a NUL character, so any value holding
 * `\u0000` fails its statement (and the statement text differs for every value, so nothing is ever
 * reused). Upstream: mikro-orm/mikro-orm#6827 and #8001, open at 7.2.1.
 *
 * This connection keeps the statement text and binds every value as a parameter through the Kysely
 * dialect MikroORM already uses (better-sqlite3's prepared statements here, `pg`'s extended protocol
 * for PostgreSQL). It reads `?` the way MikroORM's own formatter does (`??` is an identifier, `\?` a
 * literal question mark, a raw fragment is SQL with parameters of its own, an array is a list), so
 * every query MikroORM builds, the unit of work's flushes included, runs unchanged; only values move
 * out of the text. Unlike the formatter, it leaves `?` inside quotes alone.
 */
export interface ParameterStyle {
  /** The dialect's placeholder for the `index`-th parameter (1-based): `?` for SQLite, `$n` for PostgreSQL. */
  placeholder(index: number): string;
  /** A scalar as the database driver binds it (MikroORM's formatter would have quoted it as a literal). */
  bindable(value: unknown, platform: AbstractSqlPlatform): unknown;
}

export interface BoundQuery {
  sql: string;
  parameters: unknown[];
}

/** The statement `sql` with `params` as bound parameters, for `style`'s dialect. */
export function bindQuery(platform: AbstractSqlPlatform, sql: string, params: readonly unknown[], style: ParameterStyle): BoundQuery {
  // As MikroORM's formatter: a statement without parameters is run as written.
  if (params.length === 0) return { sql, parameters: [] };
  const parameters: unknown[] = [];
  const value = (v: unknown): string => {
    if (isRaw(v)) return expand(v.sql, v.params);
    if (Array.isArray(v) && !(v as unknown as Record<symbol, unknown>)[JsonProperty]) return v.map(value).join(', ');
    parameters.push(
      Utils.isPlainObject(v) || (v as Record<symbol, unknown> | null)?.[JsonProperty] ? JSON.stringify(v) : style.bindable(v, platform),
    );
    return style.placeholder(parameters.length);
  };
  // A `?` inside a quoted literal or identifier is text, not a placeholder. MikroORM formats some
  // fragments (raw filter keys) into the statement before it reaches the connection; a `?` in such a
  // value must not take the next parameter, as it did when formatting ran twice.
  const expand = (text: string, values: readonly unknown[]): string => {
    let out = '';
    let from = 0;
    let next = 0;
    let quote: string | null = null;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '?' && text[i - 1] === '\\') {
        out += text.slice(from, i - 1) + '?';
        from = i + 1;
      } else if (quote) {
        // A doubled quote closes and reopens: the same state either way.
        if (c === quote) quote = null;
      } else if (c === "'" || c === '"' || c === '`') {
        quote = c;
      } else if (c === '?' && text[i + 1] === '?') {
        out += text.slice(from, i) + platform.quoteIdentifier(values[next++] as string);
        from = i + 2;
        i++;
      } else if (c === '?') {
        out += text.slice(from, i) + value(values[next++]);
        from = i + 1;
      }
    }
    return out + text.slice(from);
  };
  return { sql: expand(sql, params), parameters };
}

/**
 * better-sqlite3 binds numbers, bigints, strings, buffers and null; SQLite stores booleans as 1/0 and MikroORM dates as
 * epoch milliseconds.
 */
export const SQLITE_PARAMETERS: ParameterStyle = {
  placeholder: () => '?',
  bindable(value) {
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return +value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' || Buffer.isBuffer(value)) return value;
    return String(value);
  },
};

/** `pg` binds `$n` parameters; dates are formatted as the platform formats them in literals, so both agree on time zones. */
export const POSTGRESQL_PARAMETERS: ParameterStyle = {
  placeholder: (index) => `$${index}`,
  bindable(value, platform) {
    if (value === undefined || value === null) return null;
    if (value instanceof Date) return (platform as BasePostgreSqlPlatform).formatDate(value);
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' || ArrayBuffer.isView(value)) return value;
    return String(value);
  },
};

// A mixin's base must be typed as a constructor taking any arguments.
type SqlConnectionClass = abstract new (...args: any[]) => AbstractSqlConnection;

type Query = string | NativeQueryBuilder | RawQueryFragment;

/** `Base` (a MikroORM SQL connection class) with `execute` and `stream` binding their parameters. */
export function withBoundParameters<Base extends SqlConnectionClass>(Base: Base, style: ParameterStyle) {
  abstract class BoundParametersConnection extends Base {
    override async execute<T extends QueryResult | EntityData<AnyEntity> | EntityData<AnyEntity>[] = EntityData<AnyEntity>[]>(
      query: Query,
      params: readonly unknown[] | Dictionary<unknown> = [],
      method: 'all' | 'get' | 'run' = 'all',
      ctx?: Transaction,
      loggerContext?: LoggingOptions,
    ): Promise<T> {
      await this.ensureConnection();
      const bound = this.bind(query, params);
      const { abort, context } = splitAbort(loggerContext);
      return this.executeQuery(
        bound.sql,
        async () => {
          const executor = (ctx ?? this.getClient()) as ReturnType<AbstractSqlConnection['getClient']>;
          const res = await executor.executeQuery(CompiledQuery.raw(bound.sql, bound.parameters), abort);
          return this.transformRawResult<T>(res, method);
        },
        { query: bound.sql, params: bound.parameters, ...context },
      );
    }

    override async *stream<T extends EntityData<AnyEntity>>(
      query: Query,
      params: readonly unknown[] | Dictionary<unknown> = [],
      ctx?: Transaction,
      loggerContext?: LoggingOptions,
      chunkSize?: number,
    ): AsyncIterableIterator<T> {
      await this.ensureConnection();
      const bound = this.bind(query, params);
      const { abort, context } = splitAbort(loggerContext);
      // `kind: 'SelectQueryNode'`, as MikroORM streams: Kysely's SQLite driver streams only selects.
      const compiled = { query: { kind: 'SelectQueryNode' }, sql: bound.sql, parameters: bound.parameters } as unknown as CompiledQuery;
      const executor = ((ctx ?? this.getClient()) as ReturnType<AbstractSqlConnection['getClient']>).getExecutor();
      try {
        const res = executor.stream(compiled, chunkSize ?? 100, abort?.signal ? { signal: abort.signal } : undefined);
        this.logQuery(bound.sql, { query: bound.sql, params: bound.parameters, ...context });
        for await (const chunk of res) {
          for (const row of this.transformRawResult<T[]>(chunk, 'all')) yield row;
        }
      } catch (err) {
        this.logQuery(bound.sql, { query: bound.sql, params: bound.parameters, ...context, level: 'error' });
        throw err;
      }
    }

    /** MikroORM's own preparation (query builders, named parameters, raw fragments, `onQuery`), then binding instead of formatting. */
    private bind(query: Query, params: readonly unknown[] | Dictionary<unknown>): BoundQuery {
      let sql: string | RawQueryFragment = query instanceof NativeQueryBuilder ? query.toRaw() : query;
      let values: readonly unknown[] = Array.isArray(params) ? params : [];
      if (typeof sql === 'string' && !Array.isArray(params)) sql = raw(sql, params as Dictionary<unknown>) as RawQueryFragment;
      if (isRaw(sql)) {
        values = sql.params;
        sql = sql.sql;
      }
      const text = this.config.get('onQuery')(sql, values);
      return bindQuery(this.getPlatform() as AbstractSqlPlatform, text, values, style);
    }
  }
  return BoundParametersConnection;
}

type AbortOptions = AbortableQueryOptions;

/** The query builder passes cancellation through the logger context; it is no part of what is logged. */
function splitAbort(loggerContext?: LoggingOptions): { abort?: AbortOptions; context?: LoggingOptions } {
  const ctx = loggerContext as (LoggingOptions & AbortOptions) | undefined;
  if (ctx?.signal == null && ctx?.inflightQueryAbortStrategy == null) return { context: loggerContext };
  const { signal, inflightQueryAbortStrategy, ...context } = ctx;
  return { abort: { signal, inflightQueryAbortStrategy }, context };
}
