import type { TPermission } from '@huifang/shared';
import { lazy, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { can, useMe } from '../features/auth/api.ts';
import { AppLayout, NAV } from './layout.tsx';
import { PageLoading } from './page-loading.tsx';
import { Providers } from './providers.tsx';

/**
 * The staff app's shell: login check and the menu layout. Loaded lazily by the router, so the public phone pages
 * (survey, review, kiosk, queue) never download the layout, its menus or the staff features.
 */

/** Logged in, and (unless on the password page) not forced to change the password first. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { data: me, isLoading } = useMe();
  const location = useLocation();
  if (isLoading) return <PageLoading fullscreen />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (me.user.mustChangePassword && location.pathname !== '/account/password')
    return <Navigate to="/account/password" replace />;
  return children;
}

const Forbidden = lazy(() => import('./forbidden.tsx'));

export function RequirePermission({ permission, children }: { permission: TPermission; children: ReactNode }) {
  const me = useMe().data;
  if (!can(me, permission))
    return <Forbidden back={NAV.find((n) => can(me, n.permission))?.path ?? '/account/password'} />;
  return children;
}

export default function StaffShell() {
  return (
    // antd's providers live here, not in the shared entry: the public phone pages do not use antd at all. antd's App
    // (message/notification/modal hooks used by the pages) wraps the pages only (layout.tsx, page-app.tsx).
    <Providers>
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    </Providers>
  );
}
