import dayjs from 'dayjs';

/** Times are shown in the tenant's zone (Asia/Shanghai by default). */
export const TIME_ZONE = 'Asia/Shanghai';
export const fmtTime = (iso: string | null | undefined) =>
  iso ? dayjs(iso).tz(TIME_ZONE).format('YYYY-MM-DD HH:mm:ss') : '—';
