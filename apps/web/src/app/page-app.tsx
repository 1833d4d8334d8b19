import { App as AntApp } from 'antd';
import type { ReactNode } from 'react';

/**
 * antd's App around the staff pages: the message, notification and modal hooks (`App.useApp()`) the pages use, with
 * their styles (~20 KB gz). The shell itself (menu, header, bell) uses none of them, so this loads beside the shell's
 * first paint rather than in it (layout.tsx); every page chunk imports antd's App anyway.
 */
export default function PageApp({ children }: { children: ReactNode }) {
  return <AntApp>{children}</AntApp>;
}
