import { useQuery } from '@tanstack/react-query';
import type { TCalendarCoverage } from '@huifang/shared';
import { get } from '../../api/client.ts';

/**
 * How far the business calendar reaches. Its own file because the staff shell's banner (calendar-runout-alert.tsx)
 * reads it on every page: importing settings/api.ts would pull the shared Zod schemas into the shell's first download.
 */
export const CALENDAR_COVERAGE_KEY = ['settings', 'calendar', 'coverage'] as const;

export const useCalendarCoverage = (enabled = true) =>
  useQuery({
    queryKey: CALENDAR_COVERAGE_KEY,
    queryFn: () => get<TCalendarCoverage>('/settings/calendar/coverage'),
    staleTime: 10 * 60_000,
    enabled,
  });
