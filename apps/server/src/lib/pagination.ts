import { type SQL, asc, desc } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { TPage, TPageQuery } from '@huifang/shared';
import { invalidField } from './app-error.ts';

/** Resolve `sort` ("field" / "-field") against an allow-list of columns; unknown fields are a 400 on `sort`. */
export function orderBy(sort: string | undefined, columns: Record<string, AnyPgColumn | SQL>, fallback: SQL): SQL {
  if (!sort) return fallback;
  const isDesc = sort.startsWith('-');
  const key = isDesc ? sort.slice(1) : sort;
  const column = columns[key];
  if (!column)
    throw invalidField('querystring.sort', `cannot sort by ${key}; allowed: ${Object.keys(columns).join(', ')}`);
  return isDesc ? desc(column) : asc(column);
}

export const pageOffset = (q: Pick<TPageQuery, 'page' | 'pageSize'>) => (q.page - 1) * q.pageSize;

export function toPage<T>(items: T[], total: number, q: Pick<TPageQuery, 'page' | 'pageSize'>): TPage<T> {
  return { items, total, page: q.page, pageSize: q.pageSize };
}

/** Escape LIKE wildcards in user text. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
