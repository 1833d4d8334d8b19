import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/test-app.ts';
import { pgArray } from './scope.ts';

describe('pgArray', () => {
  let t: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('passes any texts as one parameter and Postgres reads back exactly them', async () => {
    const values = [
      'a',
      '',
      'NULL',
      'with "quotes"',
      'back\\slash',
      'a,b',
      '{braces}',
      ' spaced ',
      '中文，标点',
      "it's",
    ];
    const q = sql`select ${pgArray(values, 'text')} as v`;
    const res = await t.database.db.execute<{ v: string[] }>(q);
    expect(res.rows[0]!.v).toEqual(values);
    // One bind parameter, however many values.
    expect(new PgDialect().sqlToQuery(q).params).toHaveLength(1);
  });

  it('matches uuids with any(), and an empty list matches nothing', async () => {
    const id = '0b7c2f3e-5a4d-4c1b-9e8f-123456789abc';
    const hit = await t.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from (select ${id}::uuid as id) x where x.id = any(${pgArray([crypto.randomUUID(), id], 'uuid')})`,
    );
    expect(hit.rows[0]!.n).toBe(1);
    const none = await t.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from (select ${id}::uuid as id) x where x.id = any(${pgArray([], 'uuid')})`,
    );
    expect(none.rows[0]!.n).toBe(0);
  });

  it('refuses a malformed uuid as the database does', async () => {
    await expect(t.database.db.execute(sql`select ${pgArray(['not-a-uuid'], 'uuid')} as v`)).rejects.toThrow(/uuid/);
  });
});
